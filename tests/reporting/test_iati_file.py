"""The IATI activity file of the demo programme: valid against the 2.03 schema, one activity
for the programme and one per published project, money from the ledger."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from grants.awards.models import Award
from grants.ledger.queries import money_by_award
from reporting.iati import results
from reporting.iati.activities import clean
from reporting.iati.document import build_file
from reporting.iati.validation import file_errors
from reporting.portal.queries import public_projects
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, reference_projects
from tests.reporting.conftest import set_publication


def _activities(body: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(body)
    return {activity.findtext("iati-identifier"): activity
            for activity in root.findall("iati-activity")}


def _sum(activity, kind: str) -> Decimal:
    return sum((Decimal(transaction.findtext("value"))
                for transaction in activity.findall("transaction")
                if transaction.find("transaction-type").get("code") == kind), Decimal("0"))


def test_the_demo_file_follows_the_schema(app, demo_programme):
    built = build_file()
    assert file_errors(built.body) == []
    root = etree.fromstring(built.body)
    assert root.get("version") == "2.03"
    assert built.activity_count == 1 + PUBLIC_PROJECTS
    assert len(root.findall("iati-activity")) == 1 + PUBLIC_PROJECTS


def test_programme_and_projects_are_linked_by_hierarchy(app, demo_programme):
    activities = _activities(build_file().body)
    programmes = [activity for activity in activities.values()
                  if activity.get("hierarchy") == "1"]
    assert len(programmes) == 1
    programme = programmes[0]
    children = {related.get("ref") for related in programme.findall("related-activity")
                if related.get("type") == "2"}
    assert children == {identifier for identifier, activity in activities.items()
                        if activity.get("hierarchy") == "2"}
    assert len(children) == PUBLIC_PROJECTS
    for identifier in children:
        parent = activities[identifier].find("related-activity")
        assert parent.get("type") == "1"
        assert parent.get("ref") == programme.findtext("iati-identifier")
    roles = [org.get("role") for org in programme.findall("participating-org")]
    assert "1" in roles and "4" in roles
    assert programme.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_transactions_add_up_to_the_ledger(app, demo_programme, db_session):
    activities = _activities(build_file().body)
    projects = public_projects()
    awards = db_session.query(Award).filter(
        Award.id.in_([project.award_id for project in projects])).all()
    money = money_by_award(awards)
    reversals = 0
    for project in projects:
        activity = next(activity for identifier, activity in activities.items()
                        if identifier.endswith("-" + project.reference))
        assert _sum(activity, "2") == money[project.award_id].committed
        assert _sum(activity, "3") == money[project.award_id].disbursed
        values = [Decimal(value.text) for value in activity.iter("value")]
        reversals += sum(1 for value in values if value < 0)
        for value in activity.iter("value"):
            assert value.get("currency") and value.get("value-date")
        assert activity.find("activity-status") is not None
        assert activity.findall("activity-date")
        assert activity.find("recipient-country").get("code") == "BZ"
        sectors = activity.findall("sector")
        assert sectors and all(len(sector.get("code")) == 5 for sector in sectors)
        assert sum(Decimal(sector.get("percentage")) for sector in sectors) == 100
        if project.districts:
            assert activity.findall("location")
        roles = [org.get("role") for org in activity.findall("participating-org")]
        assert roles.count("4") >= 1
    assert reversals >= 1  # the demo reverses a payment: a negative disbursement


def test_held_back_parts_are_not_written(app, demo_programme, db_session):
    project = reference_projects()[0]
    set_publication(db_session, project.award_id, is_amount_public=False,
                    is_progress_public=False, is_partner_public=False)
    db_session.flush()
    activities = _activities(build_file().body)
    activity = next(activity for identifier, activity in activities.items()
                    if identifier.endswith("-" + project.reference))
    assert activity.findall("transaction") == []
    assert len(activity.findall("participating-org[@role='4']")) == 1


def test_a_withdrawn_page_removes_the_activity(app, demo_programme, db_session):
    project = reference_projects()[0]
    set_publication(db_session, project.award_id, is_published=False)
    db_session.flush()
    built = build_file()
    assert built.activity_count == PUBLIC_PROJECTS
    assert not any(identifier.endswith("-" + project.reference)
                   for identifier in _activities(built.body))


def test_results_come_from_registered_providers(app, demo_programme):
    def one_result(activity):
        if activity.award_id is None:
            return []
        result = etree.Element("result", type="1")
        etree.SubElement(etree.SubElement(result, "title"), "narrative").text = "Outcome"
        indicator = etree.SubElement(result, "indicator", measure="1")
        etree.SubElement(etree.SubElement(indicator, "title"), "narrative").text = "People"
        return [result]

    assert not any(activity.findall("result")
                   for activity in _activities(build_file().body).values()
                   if activity.get("hierarchy") == "2")
    results.provide(one_result)
    try:
        built = build_file()
    finally:
        results.withdraw(one_result)
    assert file_errors(built.body) == []
    counted = [len(activity.findall("result")) for activity in _activities(built.body).values()
               if activity.get("hierarchy") == "2"]
    assert counted == [1] * PUBLIC_PROJECTS


def test_the_programme_reports_its_results_framework(app, demo_programme):
    """The logframe's outcomes and outputs, each indicator with its target and the actual
    the results page shows for the same period."""
    from core.timeutil import programme_today
    from reporting.indicators.queries import programme_span
    from reporting.results.queries import results_against_targets

    built = build_file()
    assert file_errors(built.body) == []
    programme = next(activity for activity in _activities(built.body).values()
                     if activity.get("hierarchy") == "1")
    found = {indicator.findtext("title/narrative"): (
        indicator.find("period/target").get("value")
        if indicator.find("period/target") is not None else None,
        indicator.find("period/actual").get("value")
        if indicator.find("period/actual") is not None else None)
        for indicator in programme.findall("result/indicator")}
    rows = results_against_targets(*programme_span(programme_today()), language="en")
    assert len(found) == len(rows) > 0
    for row in rows:
        target, actual = found[row.indicator.title]
        assert (Decimal(target) if target else None) == row.target
        assert (Decimal(actual) if actual else None) == row.actual
    assert {result.get("type") for result in programme.findall("result")} == {"1", "2"}


def _holds_in_xml(character: str) -> bool:
    return (character in "\t\n" or " " <= character < "\ud800"
            or "\ue000" <= character <= "\ufffd" or character >= "\U00010000")


@given(st.text(alphabet=st.characters(codec=None)))
def test_text_keeps_exactly_what_xml_can_hold(text):
    cleaned = clean(text)
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    assert cleaned == "".join(character for character in unified if _holds_in_xml(character))
    etree.SubElement(etree.Element("activity"), "narrative").text = cleaned  # lxml accepts it
