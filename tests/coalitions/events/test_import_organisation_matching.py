"""Organisations in attendance sheets are matched against the directory ignoring case,
accents and spacing, across files, so "organisations engaged" counts each one once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accounts.organisations.models import Organisation, Sector
from coalitions.events import importer, operations
from reporting.indicators.queries import Period, compute
from tests.coalitions.events import make_event, row, xlsx_bytes

YEAR = Period(date(2019, 1, 1), date(2019, 12, 31))


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


def _import(event, staff, rows):
    plan = operations.import_attendance(event, staff, xlsx_bytes(rows), "sheet.xlsx")
    assert plan.is_valid, plan.errors
    return plan


def _organisation_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Organisation))


def test_two_files_spelling_one_organisation_differently_give_one(db_session, staff):
    first = make_event(db_session, title="Workshop", starts_on=date(2019, 3, 14),
                       ends_on=date(2019, 3, 14))
    second = make_event(db_session, title="Forum", starts_on=date(2019, 5, 2),
                        ends_on=date(2019, 5, 2))
    _import(first, staff, [row(name="Ana Pérez", email="ana@example.org",
                               organisation="Fundación Acceso")])
    plan = _import(second, staff, [row(name="Luis Gómez", email="luis@example.org",
                                       organisation="fundacion  acceso")])

    assert compute(YEAR).organisations == 1
    assert _organisation_count(db_session) == 1
    assert plan.summary()["organisations_created"] == 0
    assert plan.summary()["organisations_matched"] == 1


@pytest.mark.parametrize("spelling", [
    "FUNDACIÓN ACCESO", "Fundacion Acceso", "  fundación   acceso  ", "Fundación\u00a0Acceso",
    "Fundación Acceso ,Belize", "fundacion acceso,  BELIZE",
])
def test_spellings_that_differ_only_in_case_accents_and_spacing_match(db_session, factories,
                                                                      spelling):
    existing = factories.organisation(name="Fundación Acceso", sector=Sector.civil_society)
    belize = factories.organisation(name="Fundación Acceso, Belize")
    expected = belize if "belize" in spelling.casefold() else existing
    event = make_event(db_session)
    plan = importer.build_plan(event, xlsx_bytes([row(organisation=spelling, sector=None)]),
                               "sheet.xlsx")
    assert plan.is_valid, plan.errors
    assert plan.rows[0].organisation_id == expected.id


def test_different_words_are_different_organisations(db_session, factories):
    factories.organisation(name="Fundación Acceso")
    event = make_event(db_session)
    plan = importer.build_plan(event, xlsx_bytes([
        row(organisation="Fundación Accesos", sector="Civil society")]), "sheet.xlsx")
    assert plan.is_valid, plan.errors
    assert plan.summary()["organisations_created"] == 1


def test_one_file_with_two_spellings_creates_one_organisation(db_session, staff):
    event = make_event(db_session)
    _import(event, staff, [
        row(name="Ana Pérez", email="ana@example.org", organisation="Fundación Acceso"),
        row(name="Luis Gómez", email="luis@example.org", organisation="FUNDACION ACCESO")])
    assert _organisation_count(db_session) == 1


def test_people_are_matched_by_name_and_an_organisation_spelled_differently(
        db_session, staff):
    event = make_event(db_session)
    _import(event, staff, [row(name="Ana Pérez", email=None, organisation="Fundación Acceso")])
    plan = _import(event, staff, [row(name="Ana Pérez", email=None, attended="No",
                                      organisation="fundacion acceso", sector=None)])
    assert plan.summary()["people_matched"] == 1
    assert plan.summary()["people_created"] == 0
