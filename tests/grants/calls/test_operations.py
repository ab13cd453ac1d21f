from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.audit.models import AuditEntry
from core.errors import OperationError
from core.timeutil import utcnow
from grants.calls import operations
from grants.calls.models import (
    DEFAULT_THEMATIC_AREAS,
    Call,
    Criterion,
    Fund,
    ThematicArea,
)
from grants.calls.states import CallState


def _count(session, model, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*conditions))


def _audit(session, action, object_id=None):
    query = select(AuditEntry).where(AuditEntry.action == action)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == str(object_id))
    return list(session.scalars(query.order_by(AuditEntry.id)))


@pytest.fixture
def staff(factories):
    return factories.user(roles=("staff",))


@pytest.fixture
def fund(grant_factories):
    return grant_factories.fund(currency="USD")


def _rows(call, **changes_by_name):
    """The call's rubric as form rows, with some values changed."""
    rows = []
    for index, criterion in enumerate(call.criteria):
        row = {"index": index, "id": criterion.id, "name": criterion.name,
               "guidance": criterion.guidance, "weight": criterion.weight,
               "max_score": criterion.max_score, "is_na_allowed": criterion.is_na_allowed}
        row.update(changes_by_name.get(criterion.name, {}))
        rows.append(row)
    return rows


# Funds --------------------------------------------------------------------------------------

def test_create_fund_is_audited(staff, factories, db_session):
    donor = factories.organisation(name="Embassy")
    fund = operations.create_fund(staff, name=" Open Government Ecosystem ",
                                  donor_organisation_id=donor.id, currency="bzd",
                                  total_budget="80,000.00".replace(",", ""))
    assert fund.name == "Open Government Ecosystem"
    assert fund.currency == "BZD" and fund.total_budget == Decimal("80000.00")
    assert fund.donor is donor and fund.manager is None
    [entry] = _audit(db_session, "fund.create", fund.id)
    assert entry.actor_id == staff.id


@pytest.mark.parametrize("amount, message", [
    ("5000.001", "two decimal places"),
    ("-1", "cannot be negative"),
    ("0", "more than zero"),
    ("0.00", "more than zero"),
    ("abc", "in figures"),
    ("NaN", "in figures"),
    (5000.0, "Enter the amount"),
    ("99999999999", "too large"),
])
def test_bad_fund_amounts_are_refused(staff, db_session, amount, message):
    with pytest.raises(OperationError) as caught:
        operations.create_fund(staff, name="Fund", currency="USD", total_budget=amount)
    assert caught.value.field == "total_budget"
    assert message in str(caught.value.message)
    assert _count(db_session, Fund) == 0


@pytest.mark.parametrize("currency", ["XYZ", "usdollars", "", None])
def test_unknown_currencies_are_refused(staff, currency):
    with pytest.raises(OperationError) as caught:
        operations.create_fund(staff, name="Fund", currency=currency, total_budget="10")
    assert caught.value.field == "currency"


def test_unknown_organisations_are_refused(staff):
    with pytest.raises(OperationError) as caught:
        operations.create_fund(staff, name="Fund", total_budget="10",
                               managing_organisation_id=999999)
    assert caught.value.field == "managing_organisation_id"


def test_update_fund_reports_changes(staff, fund, db_session):
    assert operations.update_fund(fund, staff, name=fund.name) == {}
    changes = operations.update_fund(fund, staff, total_budget=Decimal(60000),
                                     currency="EUR")
    assert changes == {"total_budget": [Decimal("50000.00"), Decimal("60000.00")],
                       "currency": ["USD", "EUR"]}
    assert _audit(db_session, "fund.update", fund.id)


def test_fund_currency_is_locked_once_an_application_is_submitted(staff, grant_factories):
    call = grant_factories.call()
    grant_factories.application(call, state="submitted")
    with pytest.raises(OperationError) as caught:
        operations.update_fund(call.fund, staff, currency="BZD")
    assert caught.value.field == "currency"
    assert call.fund.currency == "USD"
    operations.update_fund(call.fund, staff, name="Renamed")  # other fields stay editable


# Creating calls ------------------------------------------------------------------------------

def test_a_new_call_has_the_reference_programme_defaults(staff, fund, db_session):
    call = operations.create_call(staff, fund_id=fund.id, title="Mini-grants 2026")
    assert call.state == CallState.draft
    assert [area.name for area in call.thematic_areas] == DEFAULT_THEMATIC_AREAS
    assert [area.position for area in call.thematic_areas] == list(range(7))
    assert call.award_amount == Decimal("5000.00")
    assert call.max_awards == 8
    assert call.is_counterpart_required is True
    assert call.is_one_application_per_organisation is True
    assert call.currency == "USD"
    assert call.reference_prefix == "OGB"
    assert [d.name for d in call.required_documents] == operations.DEFAULT_REQUIRED_DOCUMENTS
    assert call.criteria == [] and call.published_at is None
    [entry] = _audit(db_session, "call.create", call.id)
    assert entry.data["thematic_areas"] == DEFAULT_THEMATIC_AREAS


def test_a_call_takes_its_fund_currency(staff, grant_factories):
    fund = grant_factories.fund(currency="BZD")
    call = operations.create_call(staff, fund_id=fund.id, title="Call")
    assert call.currency == "BZD"


def test_closing_before_opening_is_refused(staff, fund, db_session):
    opens = datetime(2026, 3, 1, 15, tzinfo=UTC)
    for closes in (opens, opens - timedelta(minutes=1)):
        with pytest.raises(OperationError) as caught:
            operations.create_call(staff, fund_id=fund.id, title="Call", opens_at=opens,
                                   closes_at=closes)
        assert caught.value.field == "closes_at"
    assert _count(db_session, Call) == 0


@pytest.mark.parametrize("fields, field", [
    ({"title": "  "}, "title"),
    ({"fund_id": 999999}, "fund_id"),
    ({"award_amount": "5000.123"}, "award_amount"),
    ({"award_amount": "-5000"}, "award_amount"),
    ({"award_amount": "0"}, "award_amount"),
    ({"max_awards": 0}, "max_awards"),
    ({"max_awards": "2.5"}, "max_awards"),
    ({"reference_prefix": "og b"}, "reference_prefix"),
    ({"thematic_areas": ["Open data", "open data"]}, "thematic_areas"),
    ({"required_documents": ["x" * 201]}, "required_documents"),
])
def test_bad_call_values_are_refused(staff, fund, db_session, fields, field):
    values = {"fund_id": fund.id, "title": "Call", **fields}
    with pytest.raises(OperationError) as caught:
        operations.create_call(staff, **values)
    assert caught.value.field == field
    assert _count(db_session, Call) == 0


# Editing calls -------------------------------------------------------------------------------

def test_editing_lists_keeps_the_ids_of_unchanged_rows(staff, grant_factories, db_session):
    call = grant_factories.call(state=CallState.draft,
                                areas=["Open data", "Education", "E-government"],
                                documents=["Budget", "Certificate"])
    ids = {area.name: area.id for area in call.thematic_areas}
    document_ids = {doc.name: doc.id for doc in call.required_documents}
    statement_ids = [s.id for s in call.eligibility_statements]

    changes = operations.update_call(
        call, staff, thematic_areas=["E-government", "Open data", "Fight against corruption"],
        required_documents=["Certificate", "Budget"],
        eligibility_statements=[s.text for s in call.eligibility_statements])
    db_session.expire_all()

    assert [(a.name, a.position) for a in call.thematic_areas] == [
        ("E-government", 0), ("Open data", 1), ("Fight against corruption", 2)]
    assert call.thematic_areas[0].id == ids["E-government"]
    assert call.thematic_areas[1].id == ids["Open data"]
    assert call.thematic_areas[2].id not in ids.values()
    assert db_session.get(ThematicArea, ids["Education"]) is None
    assert [d.id for d in call.required_documents] == [document_ids["Certificate"],
                                                       document_ids["Budget"]]
    assert [s.id for s in call.eligibility_statements] == statement_ids
    assert set(changes) == {"thematic_areas", "required_documents"}
    assert changes["thematic_areas"][0] == ["Open data", "Education", "E-government"]
    [entry] = _audit(db_session, "call.update", call.id)
    assert set(entry.data["changes"]) == {"thematic_areas", "required_documents"}


def test_saving_unchanged_values_changes_nothing(staff, grant_factories, db_session):
    call = grant_factories.call()
    fields = {"title": call.title, "summary": call.summary,
              "award_amount": Decimal("5000.00"), "opens_at": call.opens_at,
              "closes_at": call.closes_at,
              "thematic_areas": [a.name for a in call.thematic_areas]}
    assert operations.update_call(call, staff, **fields) == {}
    assert _audit(db_session, "call.update", call.id) == []


def test_an_area_chosen_by_an_application_cannot_be_removed(staff, grant_factories):
    call = grant_factories.call(areas=["Open data", "Education"])
    open_data = call.thematic_areas[0]
    grant_factories.application(call, state="draft", areas=[open_data])
    with pytest.raises(OperationError) as caught:
        operations.update_call(call, staff, thematic_areas=["Education"])
    assert caught.value.field == "thematic_areas"
    assert "Open data" in str(caught.value.message)
    # Adding, reordering and removing an unchosen area are fine; the chosen one keeps its id.
    operations.update_call(call, staff, thematic_areas=["Citizen participation", "Open data"])
    assert [a.name for a in call.thematic_areas] == ["Citizen participation", "Open data"]
    assert call.thematic_areas[1].id == open_data.id


def test_award_amount_is_locked_once_an_application_is_submitted(staff, grant_factories,
                                                                 db_session):
    call = grant_factories.call()
    grant_factories.application(call, state="draft")
    operations.update_call(call, staff, award_amount="4000")  # drafts do not lock it
    assert call.award_amount == Decimal("4000.00")
    grant_factories.application(call, state="submitted")
    with pytest.raises(OperationError) as caught:
        operations.update_call(call, staff, award_amount="5000")
    assert caught.value.field == "award_amount"
    assert "submitted" in str(caught.value.message)
    db_session.expire_all()
    assert call.award_amount == Decimal("4000.00")
    # The same amount, and other fields, may still be saved.
    operations.update_call(call, staff, award_amount=Decimal("4000.00"), title="New title")
    assert call.title == "New title"


def test_the_fund_is_locked_once_an_application_is_submitted(staff, grant_factories):
    call = grant_factories.call()
    other = grant_factories.fund(currency="BZD")
    grant_factories.application(call, state="submitted")
    with pytest.raises(OperationError) as caught:
        operations.update_call(call, staff, fund_id=other.id)
    assert caught.value.field == "fund_id"


def test_a_published_call_keeps_what_publication_needed(staff, grant_factories):
    call = grant_factories.call()
    for fields, field in (({"closes_at": None}, "closes_at"), ({"summary": ""}, "summary"),
                          ({"thematic_areas": []}, "thematic_areas")):
        with pytest.raises(OperationError) as caught:
            operations.update_call(call, staff, **fields)
        assert caught.value.field == field
    draft = grant_factories.call(state=CallState.draft)
    operations.update_call(draft, staff, closes_at=None, thematic_areas=[])
    assert draft.closes_at is None and draft.thematic_areas == []


def test_closing_before_opening_is_refused_against_the_stored_time(staff, grant_factories):
    call = grant_factories.call()
    with pytest.raises(OperationError) as caught:
        operations.update_call(call, staff, closes_at=call.opens_at - timedelta(hours=1))
    assert caught.value.field == "closes_at"


# The rubric --------------------------------------------------------------------------------

def test_rubric_rows_are_updated_added_and_dropped(staff, grant_factories, db_session):
    call = grant_factories.call(state=CallState.draft)
    relevance, feasibility, partnership = call.criteria
    rows = _rows(call, Relevance={"weight": "3", "guidance": "Fits the areas"},
                 Feasibility={"name": ""})
    rows.append({"index": 3, "id": None, "name": "Sustainability", "guidance": "",
                 "weight": Decimal("1.5"), "max_score": 5, "is_na_allowed": True})
    rows.append({"index": 4, "id": None, "name": "", "guidance": "ignored",
                 "weight": None, "max_score": None, "is_na_allowed": False})
    assert operations.update_rubric(call, staff, rows) is True
    db_session.expire_all()
    assert [(c.name, c.position) for c in call.criteria] == [
        ("Relevance", 0), ("Partnership", 1), ("Sustainability", 2)]
    assert call.criteria[0].id == relevance.id
    assert call.criteria[0].weight == Decimal("3.00")
    assert call.criteria[0].guidance == "Fits the areas"
    assert call.criteria[1].id == partnership.id
    assert call.criteria[2].is_na_allowed is True and call.criteria[2].max_score == 5
    assert db_session.get(Criterion, feasibility.id) is None
    [entry] = _audit(db_session, "call.update_rubric", call.id)
    assert [c["name"] for c in entry.data["before"]] == ["Relevance", "Feasibility",
                                                         "Partnership"]


def test_saving_the_same_rubric_changes_nothing(staff, grant_factories, db_session):
    call = grant_factories.call()
    assert operations.update_rubric(call, staff, _rows(call)) is False
    assert _audit(db_session, "call.update_rubric") == []


def test_an_id_from_another_call_starts_a_new_criterion(staff, grant_factories):
    call = grant_factories.call(state=CallState.draft, criteria=[])
    other = grant_factories.call()
    stolen = other.criteria[0]
    operations.update_rubric(call, staff, [{"id": stolen.id, "name": "Mine", "weight": "1",
                                            "max_score": 10}])
    assert call.criteria[0].id != stolen.id
    assert stolen.name == "Relevance" and stolen.call_id == other.id


@pytest.mark.parametrize("changes, field", [
    ({"weight": "0"}, "weight"),
    ({"weight": "-1"}, "weight"),
    ({"weight": "1.005"}, "weight"),
    ({"weight": 1.5}, "weight"),
    ({"max_score": 0}, "max_score"),
    ({"max_score": "1.5"}, "max_score"),
    ({"max_score": 101}, "max_score"),
    ({"name": "x" * 201}, "name"),
])
def test_bad_rubric_values_are_refused(staff, grant_factories, db_session, changes, field):
    call = grant_factories.call(state=CallState.draft)
    with pytest.raises(OperationError) as caught:
        operations.update_rubric(call, staff, _rows(call, Feasibility=changes))
    assert caught.value.field == f"criteria-1-{field}"
    db_session.expire_all()
    assert [c.name for c in call.criteria] == ["Relevance", "Feasibility", "Partnership"]


def test_criteria_names_are_unique(staff, grant_factories):
    call = grant_factories.call(state=CallState.draft)
    with pytest.raises(OperationError) as caught:
        operations.update_rubric(call, staff, _rows(call, Feasibility={"name": "relevance"}))
    assert caught.value.field == "criteria-1-name"


def test_the_rubric_is_locked_once_an_application_is_submitted(staff, grant_factories,
                                                               db_session):
    call = grant_factories.call()
    grant_factories.application(call, state="submitted")
    with pytest.raises(OperationError) as caught:
        operations.update_rubric(call, staff, _rows(call, Relevance={"weight": "5"}))
    assert "rubric can no longer be changed" in str(caught.value.message)
    db_session.expire_all()
    assert call.criteria[0].weight == Decimal("2.00")
    assert operations.update_rubric(call, staff, _rows(call)) is False  # no change is fine


def test_a_published_call_keeps_a_rubric(staff, grant_factories):
    call = grant_factories.call()
    with pytest.raises(OperationError):
        operations.update_rubric(call, staff, [])


# States ------------------------------------------------------------------------------------

def test_publishing_requires_times_areas_rubric_and_summary(staff, fund, db_session):
    call = operations.create_call(staff, fund_id=fund.id, title="Call", thematic_areas=[])
    with pytest.raises(OperationError) as caught:
        operations.transition_call(call, CallState.published, staff)
    message = str(caught.value.message)
    for missing in ("opening and closing times", "thematic areas", "review rubric",
                    "summary"):
        assert missing in message
    assert call.state == CallState.draft
    assert _audit(db_session, "call.publish") == []


def test_publishing_sets_published_at_and_is_audited(staff, grant_factories, db_session):
    call = grant_factories.call(state=CallState.draft)
    transition = operations.transition_call(call, CallState.published, staff)
    assert transition.action == "publish"
    assert call.state == CallState.published
    assert call.published_at is not None and call.published_at <= utcnow()
    [entry] = _audit(db_session, "call.publish", call.id)
    assert entry.data == {"from": "draft", "to": "published"} and entry.actor_id == staff.id


def test_a_call_past_its_closing_time_cannot_be_published(staff, grant_factories):
    now = utcnow()
    call = grant_factories.call(state=CallState.draft, opens_at=now - timedelta(days=10),
                                closes_at=now - timedelta(days=1))
    with pytest.raises(OperationError) as caught:
        operations.transition_call(call, CallState.published, staff)
    assert "closing time has passed" in str(caught.value.message)


def test_closing_waits_for_the_closing_time(staff, grant_factories, db_session):
    call = grant_factories.call()
    with pytest.raises(OperationError) as caught:
        operations.transition_call(call, CallState.closed, staff)
    assert "closing time" in str(caught.value.message)
    assert call.state == CallState.published
    call.closes_at = utcnow() - timedelta(minutes=1)
    operations.transition_call(call, CallState.closed, staff)
    assert call.state == CallState.closed
    assert _audit(db_session, "call.close", call.id)


def test_the_whole_life_of_a_call(staff, grant_factories, db_session):
    now = utcnow()
    call = grant_factories.call(state=CallState.closed, opens_at=now - timedelta(days=40),
                                closes_at=now - timedelta(days=10))
    for target, action in ((CallState.in_review, "start_review"),
                           (CallState.decided, "decide"), (CallState.archived, "archive")):
        operations.transition_call(call, target, staff)
        assert call.state == target
        assert _audit(db_session, f"call.{action}", call.id)


def test_transitions_not_in_the_table_are_refused(staff, grant_factories):
    call = grant_factories.call(state=CallState.draft)
    for target in (CallState.closed, CallState.decided, CallState.archived):
        with pytest.raises(OperationError):
            operations.transition_call(call, target, staff)
    assert call.state == CallState.draft


def test_only_staff_move_calls(factories, grant_factories):
    call = grant_factories.call(state=CallState.draft)
    with pytest.raises(OperationError):
        operations.transition_call(call, CallState.published, factories.user())
    assert call.state == CallState.draft


def test_a_call_with_submissions_stays_published(staff, grant_factories):
    call = grant_factories.call()
    grant_factories.application(call, state="submitted")
    with pytest.raises(OperationError):
        operations.transition_call(call, CallState.draft, staff)
    empty = grant_factories.call()
    operations.transition_call(empty, CallState.draft, staff)
    assert empty.state == CallState.draft
