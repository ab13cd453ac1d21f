"""The helpers that decide who may endorse and whether the contact's address fits the
counterpart organisation."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from grants.applications.endorsement_terms import (
    contact_domain_warning,
    fingerprint,
    normalise_email,
    organisation_domains,
)


@pytest.mark.parametrize(("address", "normal"), [
    ("  Ana@Example.ORG ", "ana@example.org"),
    ("ana+ministry@example.org", "ana@example.org"),
    ("A.na@GoogleMail.com", "ana@gmail.com"),
    ("ａｎａ@example.org", "ana@example.org"),
    ("", ""),
])
def test_one_spelling_per_mailbox(address, normal):
    assert normalise_email(address) == normal


def test_the_fingerprint_ignores_key_order_but_not_values():
    assert fingerprint({"a": 1, "b": "x"}) == fingerprint({"b": "x", "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def _application(contact, website=None, email=None):
    organisation = SimpleNamespace(name="Ministry of Health", website=website, email=email)
    return SimpleNamespace(counterpart_contact_email=contact, counterpart=organisation)


def test_organisation_domains_from_website_and_email():
    organisation = SimpleNamespace(website="https://www.Health.gov.bz/about", email="info@moh.bz")
    assert organisation_domains(organisation) == {"health.gov.bz", "moh.bz"}
    assert organisation_domains(SimpleNamespace(website="health.gov.bz", email=None)) == \
        {"health.gov.bz"}


@pytest.mark.parametrize("contact", ["rosa@health.gov.bz", "rosa@hq.health.gov.bz",
                                     "ROSA@Health.Gov.BZ"])
def test_the_organisations_domain_and_its_subdomains_need_no_warning(contact):
    assert contact_domain_warning(_application(contact, website="https://health.gov.bz")) \
        is None


@pytest.mark.parametrize("contact", ["rosa@education.gov.bz", "rosa@gov.bz",
                                     "rosa@gmail.com", "rosa@notHealth.gov.bz"])
def test_another_domain_is_flagged(contact):
    warning = contact_domain_warning(_application(contact, website="https://health.gov.bz"))
    assert warning is not None and "health.gov.bz" in str(warning)


def test_an_organisation_with_no_domain_on_record_is_said_so():
    warning = contact_domain_warning(_application("rosa@health.gov.bz"))
    assert "no website or email address on record" in str(warning)
