"""What a counterpart's endorsement is an endorsement of, and who may give it.

An endorsement binds to the application's terms as they were when the counterpart was asked:
the counterpart organisation, the contact (name and email), the title, the summary, the
budget total and the period. Their fingerprint is stored on the endorsement; when the
application's current fingerprint differs, the endorsement no longer applies.

The contact must be someone outside the applicant organisation: an applicant who names their
own address could endorse their own application.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

#: Mailbox providers that ignore dots in the local part, so ``a.na`` and ``ana`` are one box.
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


# Terms and fingerprint ---------------------------------------------------------------------

def endorsement_terms(application) -> dict:
    """The application's endorsed terms now, as plain JSON-ready values."""
    counterpart = application.counterpart
    return {
        # From the relationship: the column is only set at the next flush.
        "counterpart_organisation_id": counterpart.id if counterpart is not None else None,
        "counterpart_organisation": counterpart.name if counterpart is not None else "",
        "contact_name": " ".join((application.counterpart_contact_name or "").split()),
        "contact_email": normalise_email(application.counterpart_contact_email),
        "title": (application.title or "").strip(),
        "summary": (application.summary or "").strip(),
        "budget_total": f"{application.budget_total:.2f}",
        "currency": application.call.currency,
        "duration_months": application.duration_months,
    }


def fingerprint(terms: dict) -> str:
    """SHA-256 of the terms in a canonical form (sorted keys, no spacing)."""
    canonical = json.dumps(terms, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def current_fingerprint(application) -> str:
    return fingerprint(endorsement_terms(application))


def bind(endorsement, application) -> None:
    """Stamp ``endorsement`` with the application's terms as they are now."""
    terms = endorsement_terms(application)
    endorsement.terms = terms
    endorsement.terms_hash = fingerprint(terms)


def is_bound_to_current(endorsement, application) -> bool:
    """Whether ``endorsement`` was given (or asked) for the application as it is now. An
    endorsement without a stored fingerprint binds to nothing and so to no version."""
    return bool(endorsement.terms_hash) and endorsement.terms_hash == \
        current_fingerprint(application)


def changed_terms(endorsement, application) -> list[str]:
    """The names of the terms that differ from those endorsed (for the audit entry)."""
    before = endorsement.terms or {}
    now = endorsement_terms(application)
    return sorted(key for key in now if before.get(key) != now[key])


# Emails ------------------------------------------------------------------------------------

def normalise_email(address: str | None) -> str:
    """One spelling per mailbox: trimmed, Unicode-normalised, case-folded, without a
    ``+tag``, and without dots for providers that ignore them."""
    address = unicodedata.normalize("NFKC", (address or "").strip()).casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    domain = domain.rstrip(".")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_domain(address: str | None) -> str:
    return normalise_email(address).rpartition("@")[2]


def applicant_addresses(application, submitter=None) -> set[str]:
    """The normalised addresses the contact may not be: every member of the applicant
    organisation, the user who started the application, the submitting user and the
    organisation's own address."""
    users = [membership.user for membership in application.organisation.members]
    users += [application.created_by, submitter]
    addresses = {normalise_email(getattr(user, "email", None)) for user in users if user}
    addresses.add(normalise_email(application.organisation.email))
    addresses.discard("")
    return addresses


def contact_conflict(application, contact_email: str | None, submitter=None):
    """Why ``contact_email`` cannot be the counterpart contact, or None when it can."""
    address = normalise_email(contact_email)
    if address and address in applicant_addresses(application, submitter):
        return _l("The counterpart contact must be someone in the government organisation, "
                  "not a member of the applicant organisation: give the contact's own email "
                  "address.")
    return None


# Domains -----------------------------------------------------------------------------------

def organisation_domains(organisation) -> set[str]:
    """The domains of the organisation's website and email address, without ``www.``."""
    domains = set()
    if organisation is None:
        return domains
    website = (organisation.website or "").strip()
    if website:
        host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
        host = host.casefold().rstrip(".")
        domains.add(host[4:] if host.startswith("www.") else host)
    if organisation.email:
        domains.add(email_domain(organisation.email))
    domains.discard("")
    return domains


def domain_matches(domain: str, organisation_domain: str) -> bool:
    """The same domain, or a subdomain of it."""
    return domain == organisation_domain or domain.endswith(f".{organisation_domain}")


def contact_domain_warning(application):
    """A warning for staff when the contact's email domain is not the counterpart
    organisation's (its website or its email), or None. Shared government domains are not
    special: the comparison is with the organisation's own domains only."""
    address = application.counterpart_contact_email
    if not address or application.counterpart is None:
        return None
    domain = email_domain(address)
    known = organisation_domains(application.counterpart)
    if not known:
        return _l("%(organisation)s has no website or email address on record, so the "
                  "contact's address (%(domain)s) cannot be checked against it.",
                  organisation=application.counterpart.name, domain=domain)
    if not any(domain_matches(domain, own) for own in known):
        return _l("The contact's address is at %(domain)s, which is not the domain of "
                  "%(organisation)s (%(known)s). Check that the contact works there.",
                  domain=domain, organisation=application.counterpart.name,
                  known=", ".join(sorted(known)))
    return None


def counterpart_warnings(application) -> list:
    """Everything staff should check about who is endorsing: the contact's domain, a
    counterpart nobody on the programme team has verified (anyone may add an organisation
    to the directory and give it a website), and people who belong to both organisations."""
    warnings = []
    domain = contact_domain_warning(application)
    if domain is not None:
        warnings.append(domain)
    counterpart = application.counterpart
    if counterpart is None:
        return warnings
    if not counterpart.is_verified:
        warnings.append(_l("%(organisation)s is not verified in the directory: its website "
                           "and email address were given by whoever added it.",
                           organisation=counterpart.name))
    applicant_users = {membership.user_id for membership in application.organisation.members}
    if any(membership.user_id in applicant_users for membership in counterpart.members):
        warnings.append(_l("Someone who belongs to the applicant organisation also belongs "
                           "to %(organisation)s.", organisation=counterpart.name))
    return warnings
