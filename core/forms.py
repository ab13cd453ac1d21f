"""Form building blocks shared by every package.

Text fields strip surrounding whitespace and refuse control characters (which PostgreSQL
cannot store and which have no place in names or titles); every field has a length limit.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import Email, Length, ValidationError

from core.validation import (
    CONTROL_CHARACTERS_MESSAGE,
    has_control_characters,
    is_plausible_year,
    year_range_message,
)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if has_control_characters(field.data or "", multiline=self.multiline):
            raise ValidationError(CONTROL_CHARACTERS_MESSAGE)


class TextField(StringField):
    """A single-line text input: stripped, no control characters, at most ``max_length``."""

    def __init__(self, label=None, validators=(), max_length: int = 200, **kwargs):
        validators = [NoControlCharacters(), Length(max=max_length), *validators]
        kwargs.setdefault("render_kw", {}).setdefault("maxlength", max_length)
        super().__init__(label, validators, filters=[_strip], **kwargs)


class LongTextField(TextAreaField):
    def __init__(self, label=None, validators=(), max_length: int = 10000, **kwargs):
        validators = [NoControlCharacters(multiline=True), Length(max=max_length), *validators]
        super().__init__(label, validators, filters=[_strip], **kwargs)


class EmailAddressField(EmailField):
    def __init__(self, label=None, validators=(), **kwargs):
        validators = [NoControlCharacters(), Length(max=254),
                      Email(message=_l("Enter a valid email address."),
                            check_deliverability=False), *validators]
        kwargs.setdefault("render_kw", {}).update({"autocomplete": "email", "maxlength": 254})
        super().__init__(label, validators, filters=[_strip, _lower], **kwargs)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class PasswordInputField(PasswordField):
    """Passwords are never stripped: spaces are allowed and count."""

    def __init__(self, label=None, validators=(), **kwargs):
        validators = [Length(max=128, message=_l("Use at most 128 characters.")), *validators]
        super().__init__(label, validators, **kwargs)


class BaseForm(FlaskForm):
    """Base for every form (CSRF comes from FlaskForm)."""

    def add_operation_error(self, error) -> None:
        """Show an OperationError next to its field, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is None and error.field and "-" in error.field:
            # A field of a part of the form ("translations_es-title").
            part, name = error.field.split("-", 1)
            part = getattr(self, part, None)
            field = getattr(part, name, None) if part is not None else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


def render_form(template: str, form, status: int | None = None, **context):
    """Render a form page; a form with errors answers 422, so the request commits nothing."""
    if status is None:
        status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, **context), status


class DayField(DateField):
    """A calendar day (``YYYY-MM-DD``) in the programme's years (``core.validation``), so that
    adding or subtracting days never overflows."""

    invalid_message = _l("Enter a date, for example 2026-03-31.")

    def __init__(self, label=None, validators=(), invalid_message=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)
        if invalid_message is not None:
            self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.data is not None and not is_plausible_year(self.data.year):
            raise ValidationError(year_range_message())


_AMOUNT = re.compile(r"^\d{1,10}(\.\d{1,2})?$")


class MoneyField(StringField):
    """An amount of money as a Decimal with at most two decimal places (never a float).
    Thousands separators are allowed; signs, exponents and a third decimal are refused."""

    def __init__(self, label=None, validators=(), **kwargs):
        kwargs.setdefault("render_kw", {}).update({"inputmode": "decimal", "maxlength": 20})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or ""
        raw = raw.strip().replace(",", "")
        if not raw:
            self.data = None
            return
        if not _AMOUNT.match(raw):
            self.data = None
            raise ValueError(_l("Enter an amount such as 1250.50: digits only, with at most "
                                "two decimals."))
        self.data = Decimal(raw)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"


def more_than_zero(form, field):
    """A validator for a ``MoneyField`` whose amount must be positive (blank is left to
    ``InputRequired`` or ``Optional``)."""
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("Enter an amount of more than zero."))
