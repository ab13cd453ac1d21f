"""Forms of the organisations directory.

Names and other short texts accept letters in any script, digits, spaces and the punctuation
real organisation names use; markup (``<``, ``>``) and statement separators (``;``, ``=``) are
refused with a message next to the field, as are identifiers, phones and addresses that do not
have their expected shape.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from accounts.organisations.models import SECTOR_TITLES, MemberRole, Sector
from core.database import MAX_ID
from core.forms import BaseForm, EmailAddressField, LongTextField, TextField

COUNTRY_FILE = Path(__file__).resolve().parents[2] / "core" / "data" / "countryCode.csv"


# Letters and digits in any script, spaces, and the punctuation found in organisation names.
_NAME_CHARACTERS = re.compile(r"^(?:[^\W_]|[\u0300-\u036f\s.,&'‘’“”«»()\[\]\-–—/:+#!?\"@%·])*$")
_NAME_MESSAGE = _l("Use letters, numbers, spaces and common punctuation "
                   "(. , & ' ( ) - / : + # ! ? @ %) only.")
_REGISTRATION_CHARACTERS = re.compile(r"^[A-Za-z0-9 ./\-#]*$")
_NO_MARKUP = re.compile(r"[<>{}\\]")
#: org-id.guide shape: a registration list code (country or XI/XM, then list) and the identifier.
ORG_ID_PATTERN = re.compile(r"^[A-Z]{2}-[A-Z0-9]{2,}-[A-Za-z0-9._/\-]+$")
_PHONE_PATTERN = re.compile(r"^\+?[0-9 ()./\-]{3,40}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$",
                            re.IGNORECASE)
_URL_FORBIDDEN = re.compile(r"[\s<>\"'`{}|\\^]")


class Characters:
    """Refuse text containing characters outside an allow-list."""

    def __init__(self, pattern: re.Pattern, message):
        self.pattern = pattern
        self.message = message

    def __call__(self, form, field):
        if field.data and not self.pattern.match(field.data):
            raise ValidationError(self.message)


class NoMarkup:
    def __call__(self, form, field):
        if field.data and _NO_MARKUP.search(field.data):
            raise ValidationError(_l("Remove the < > { } and \\ characters: this text is "
                                     "shown as written, not as markup."))


def _normalise_org_id(value):
    """Upper-case the registration list code (``bz-coa-123`` → ``BZ-COA-123``)."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    parts = value.split("-", 2)
    if len(parts) == 3:
        parts[0], parts[1] = parts[0].upper(), parts[1].upper()
        return "-".join(parts)
    return value


class OptionalEmailField(EmailAddressField):
    """An email address that may be left blank."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [Optional(), *self.validators]
        self.flags.optional = True


def name_field(label, validators=(), max_length=200, **kwargs):
    return TextField(label, [*validators, Characters(_NAME_CHARACTERS, _NAME_MESSAGE)],
                     max_length=max_length, **kwargs)


# Countries ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 codes (not deprecated) with their English titles."""
    with COUNTRY_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["Code"]: row["Title"] for row in csv.DictReader(handle)
                if row.get("Code") and not (row.get("Deprecated") or "").strip()}


def _babel_locale() -> Locale:
    try:
        return Locale.parse(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en")


def country_name(code: str | None) -> str:
    """The country's name in the reader's language."""
    if not code:
        return ""
    return _babel_locale().territories.get(code, country_codes().get(code, code))


def sort_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Côte d'Ivoire among the Cs)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def country_choices() -> list[tuple[str, str]]:
    territories = _babel_locale().territories
    choices = [(code, territories.get(code, title)) for code, title in country_codes().items()]
    return sorted(choices, key=lambda choice: sort_key(choice[1]))


def sector_choices() -> list[tuple[str, str]]:
    return [(sector.value, SECTOR_TITLES[sector]) for sector in Sector]


def _default_country() -> str:
    return current_app.config.get("DEFAULT_COUNTRY", "BZ")


# Forms -------------------------------------------------------------------------------------

class OrganisationForm(BaseForm):
    name = name_field(_l("Name"), [DataRequired(_l("Enter the organisation's name."))],
                      max_length=200, render_kw={"autocomplete": "organization"})
    acronym = name_field(_l("Acronym"), max_length=30)
    sector = SelectField(_l("Sector"), [DataRequired(_l("Choose a sector."))],
                         validate_choice=False)
    country = SelectField(_l("Country"), [DataRequired(_l("Choose a country."))],
                          default=_default_country, validate_choice=False)
    district = name_field(_l("District"), max_length=100,
                          description=_l("The district (or state, region) of the main office."))
    registration_number = TextField(
        _l("Registration number"),
        [Characters(_REGISTRATION_CHARACTERS,
                    _l("Use letters, numbers, spaces and . / - # only."))],
        max_length=100,
        description=_l("As issued by the registry of companies, NGOs or similar."))
    org_id = TextField(
        _l("Open-data identifier (org-id)"),
        [Optional(), Regexp(ORG_ID_PATTERN, message=_l(
            "Use the org-id.guide form LIST-CODE-identifier, for example BZ-COA-12345: the "
            "list code in capital letters, no spaces."))],
        max_length=100,
        description=_l("Only if the organisation has one on a register listed at org-id.guide. "
                       "Otherwise leave blank: an identifier is generated."))
    website = TextField(_l("Website"), [Optional()], max_length=300,
                        description=_l("The full address, starting with https:// or http://."),
                        render_kw={"type": "url", "inputmode": "url"})
    email = OptionalEmailField(_l("Email address"))
    phone = TextField(
        _l("Phone"),
        [Optional(), Regexp(_PHONE_PATTERN, message=_l(
            "Use digits, spaces and + ( ) - . / only, for example +501 822-0000."))],
        max_length=50, render_kw={"type": "tel", "autocomplete": "tel"})
    address = LongTextField(_l("Address"), [NoMarkup()], max_length=1000,
                            render_kw={"rows": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = [("", _l("Choose a sector"))] + sector_choices()
        self.country.choices = country_choices()

    def filter_org_id(self, value):
        return _normalise_org_id(value)

    def validate_website(self, field):
        value = field.data or ""
        if not value:
            return
        if _URL_FORBIDDEN.search(value):
            raise ValidationError(_l("Remove the spaces and special characters from the web "
                                     "address."))
        URL(message=_l("Enter a web address starting with https:// or http://, for example "
                       "https://example.org."))(self, field)

    def validate_country(self, field):
        if field.data not in country_codes():
            raise ValidationError(_l("Choose a country from the list."))

    def validate_sector(self, field):
        if field.data not in Sector.__members__:
            raise ValidationError(_l("Choose a sector from the list."))

    def organisation_fields(self) -> dict:
        """The submitted values, ready for the operations."""
        return {name: getattr(self, name).data for name in (
            "name", "acronym", "sector", "country", "district", "registration_number",
            "org_id", "website", "email", "phone", "address")}


class InviteMemberForm(BaseForm):
    name = TextField(_l("Full name"), [DataRequired(_l("Enter the person's name."))],
                     max_length=120, render_kw={"autocomplete": "off"})
    email = EmailAddressField(_l("Email address"), [DataRequired(_l("Enter an email."))])
    role = SelectField(_l("Role in the organisation"),
                       [DataRequired(_l("Choose a role."))],
                       default=MemberRole.member.value, validate_choice=False,
                       description=_l("Owners can change the organisation's details and "
                                      "manage its members."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [(role.value, role.title) for role in MemberRole]

    def validate_name(self, field):
        if field.data and _NO_MARKUP.search(field.data):
            raise ValidationError(_l("Remove the < > { } and \\ characters from the name."))

    def validate_role(self, field):
        if field.data not in MemberRole.__members__:
            raise ValidationError(_l("Choose a role from the list."))


#: The duplicate's values staff may take, with their labels, in the order the merge page shows.
MERGE_FIELD_LABELS = {
    "name": _l("Name"), "acronym": _l("Acronym"), "sector": _l("Sector"),
    "country": _l("Country"), "district": _l("District"),
    "registration_number": _l("Registration number"), "org_id": _l("Open-data identifier"),
    "website": _l("Website"), "email": _l("Email"), "phone": _l("Phone"),
    "address": _l("Address"),
}
MEMBER_CHOICES = ("skip", "member", "owner")


class MergeForm(BaseForm):
    duplicate_id = IntegerField(
        _l("Number of the duplicate organisation"),
        [InputRequired(_l("Enter the number of the duplicate organisation.")),
         NumberRange(min=1, max=MAX_ID, message=_l("Enter a number shown in the directory."))],
        description=_l("Only what you choose below passes from the duplicate; everything that "
                       "refers to it moves to this organisation and the duplicate is deleted."),
        render_kw={"inputmode": "numeric", "min": 1})
    take = SelectMultipleField(
        _l("Values to take from the duplicate"),
        choices=[(name, label) for name, label in MERGE_FIELD_LABELS.items()],
        validate_choice=True)
    confirm = BooleanField(
        _l("I understand that the duplicate will be deleted and that this cannot be undone."),
        [DataRequired(_l("Tick the box to confirm the merge."))])

    def member_choices(self, user_ids) -> dict[int, str] | None:
        """Staff's choice for each member of the duplicate (``member-<user id>``; not carried
        over when absent), or None, with a message, when one is not in the list."""
        formdata = request.form
        choices = {}
        for user_id in user_ids:
            value = formdata.get(f"member-{user_id}", "skip")
            if value not in MEMBER_CHOICES:
                self.form_errors.append(_l("Choose what becomes of each member from the "
                                           "list."))
                return None
            choices[user_id] = value
        return choices
