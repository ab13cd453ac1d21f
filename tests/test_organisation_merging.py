"""Merging organisations across every package: every table that refers to organisations is
handled by the merge, rows that must stay unique per organisation never clash, and every
table that refers to users says what becomes of its rows when an account goes away."""

from __future__ import annotations

from datetime import date

import pytest
from blinker import NamedSignal
from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, func, insert, select

from accounts.organisations import merging
from accounts.organisations.merging import MemberChoice
from accounts.organisations.models import MemberRole, OrganisationMember
from accounts.user_references import USER_REFERENCES, UserReference
from core import signals
from core.extensions import db
from tests.fixtures.grants import GrantFactories


def _references_to(table_name: str) -> set[tuple[str, str]]:
    return {(table.name, fk.parent.name)
            for table in db.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table.name == table_name}


def _unique_keys(table) -> list[set[str]]:
    keys = [set(constraint.columns.keys()) for constraint in table.constraints
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)]
    keys += [set(index.columns.keys()) for index in table.indexes if index.unique]
    return [key for key in keys if key]


def test_every_reference_to_organisations_is_handled_by_the_merge(app):
    in_metadata = _references_to("organisations")
    handled = set(merging.handled_references())
    assert in_metadata - handled == set(), (
        "tables referring to organisations that the merge does not handle: declare them "
        "with accounts.organisations.merging.handle_references")
    # A declared column of an existing table must be a real reference (a table that is not
    # in this build at all is someone else's work in progress and is left alone).
    stale = {(table, column) for table, column in handled - in_metadata
             if table in db.metadata.tables}
    assert stale == set(), "declared references that no longer exist"


def test_references_in_a_unique_key_are_resolved_by_a_receiver(app):
    """Moving such a row to the kept organisation could clash with the kept one's own row:
    a receiver of organisation_merging must resolve the clash first."""
    handled = merging.handled_references()
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "organisations":
                continue
            if any(fk.parent.name in key and len(key) > 1 for key in _unique_keys(table)):
                assert handled[(table.name, fk.parent.name)] in (
                    merging.Handling.deduplicated, merging.Handling.members), table.name


def test_every_reference_to_users_says_what_becomes_of_it(app):
    in_metadata = _references_to("users")
    assert in_metadata - set(USER_REFERENCES) == set(), (
        "tables referring to users missing from accounts.user_references.USER_REFERENCES")
    assert {(table, column) for table, column in set(USER_REFERENCES) - in_metadata
            if table in db.metadata.tables} == set()
    for (table_name, column), reference in USER_REFERENCES.items():
        if table_name not in db.metadata.tables:
            continue
        assert isinstance(reference, UserReference) and reference.why.strip(), (table_name,
                                                                                 column)
        fk = next(fk for fk in db.metadata.tables[table_name].foreign_keys
                  if fk.parent.name == column)
        # The database's ON DELETE must agree with what the list says.
        assert (fk.ondelete or "NO ACTION").upper() == reference.on_delete, (table_name, column)


def test_every_signal_has_a_receiver(app):
    declared = {name: value for name, value in vars(signals).items()
                if isinstance(value, NamedSignal)}
    assert declared
    for name, signal in declared.items():
        assert signal.receivers, f"core.signals.{name} has no receiver"


# Merging organisations that meet in every unique table -----------------------------------------

@pytest.fixture
def both(factories):
    return factories.organisation(name="Kept"), factories.organisation(name="Duplicate")


def test_merging_organisations_that_share_every_unique_row(factories, db_session, both):
    from coalitions.coalitions.models import (
        ActivityKind,
        Coalition,
        CoalitionActivity,
        CoalitionMembership,
        activity_organisations,
    )
    from coalitions.events.models import Event, EventType, event_partners
    from coalitions.plans.models import ActionPlan, Commitment, commitment_supporters
    from grants.reviews.models import ConflictDeclaration, Panel

    kept, duplicate = both
    staff = factories.user(roles=("staff",))
    person = factories.user()
    factories.member(kept, person, "member")
    factories.member(duplicate, person, "owner")
    plan = ActionPlan(title="Plan", starts_on=date(2020, 1, 1), ends_on=date(2022, 1, 1))
    commitment = Commitment(plan=plan, title="Open budgets", lead_organisation_id=duplicate.id)
    event = Event(type=EventType.workshop, title="Workshop", starts_on=date(2019, 3, 1),
                  ends_on=date(2019, 3, 1), organiser_id=duplicate.id)
    coalition = Coalition(name="Open data coalition", lead_organisation_id=duplicate.id)
    activity = CoalitionActivity(coalition=coalition, kind=ActivityKind.campaign,
                                 happened_on=date(2019, 5, 1), description="Campaign")
    db_session.add_all([plan, commitment, event, coalition, activity])
    db_session.flush()
    for table, key, value in ((commitment_supporters, "commitment_id", commitment.id),
                              (event_partners, "event_id", event.id),
                              (activity_organisations, "activity_id", activity.id)):
        db_session.execute(insert(table), [{key: value, "organisation_id": kept.id},
                                           {key: value, "organisation_id": duplicate.id}])
    # Both are members of the coalition now (two open periods), and were earlier.
    db_session.add_all([
        CoalitionMembership(coalition=coalition, organisation_id=kept.id,
                            joined_on=date(2019, 1, 1)),
        CoalitionMembership(coalition=coalition, organisation_id=duplicate.id,
                            joined_on=date(2019, 2, 1)),
        CoalitionMembership(coalition=coalition, organisation_id=duplicate.id,
                            joined_on=date(2017, 1, 1), left_on=date(2018, 1, 1)),
    ])
    grants = GrantFactories(db_session, factories)
    call = grants.call()
    application = grants.application(call, organisation=duplicate,
                                     counterpart_organisation_id=duplicate.id)
    panel = Panel(call=call)
    reviewer = factories.user(roles=("reviewer",))
    db_session.add(panel)
    db_session.flush()
    db_session.add_all([
        ConflictDeclaration(panel=panel, reviewer_id=reviewer.id, organisation_id=kept.id,
                            reason="Board member"),
        ConflictDeclaration(panel=panel, reviewer_id=reviewer.id, organisation_id=duplicate.id,
                            reason="Board member of the other one"),
    ])
    db_session.flush()
    kept_id, duplicate_id = kept.id, duplicate.id

    result = merging.merge_organisations(kept, duplicate, staff,
                                         members={person.id: MemberChoice.owner})

    db_session.expire_all()
    for table, key, value in ((commitment_supporters, "commitment_id", commitment.id),
                              (event_partners, "event_id", event.id),
                              (activity_organisations, "activity_id", activity.id)):
        assert db_session.execute(select(table.c.organisation_id)
                                  .where(table.c[key] == value)).scalars().all() == [kept_id]
    periods = db_session.execute(
        select(CoalitionMembership.organisation_id, CoalitionMembership.joined_on,
               CoalitionMembership.left_on).where(CoalitionMembership.coalition_id
                                                  == coalition.id)
        .order_by(CoalitionMembership.joined_on)).all()
    # The earlier, separate period is history and moves; the overlapping one is resolved.
    assert periods == [(kept_id, date(2017, 1, 1), date(2018, 1, 1)),
                       (kept_id, date(2019, 1, 1), None)]
    assert db_session.get(Commitment, commitment.id).lead_organisation_id == kept_id
    assert db_session.get(Event, event.id).organiser_id == kept_id
    assert db_session.get(Coalition, coalition.id).lead_organisation_id == kept_id
    application = db_session.get(type(application), application.id)
    assert application.organisation_id == kept_id
    assert application.counterpart_organisation_id == kept_id
    reasons = sorted(db_session.scalars(select(ConflictDeclaration.reason).where(
        ConflictDeclaration.organisation_id == kept_id)))
    assert reasons == ["Board member", "Board member of the other one"]
    assert db_session.scalar(select(func.count()).select_from(OrganisationMember).where(
        OrganisationMember.organisation_id == duplicate_id)) == 0
    [membership] = db_session.scalars(select(OrganisationMember).where(
        OrganisationMember.user_id == person.id))
    assert membership.organisation_id == kept_id and membership.role == MemberRole.owner
    # What the receivers resolved is reported (and audited).
    resolved = result["resolved"]
    assert resolved["commitment_supporters"] == 1
    assert resolved["event_partners"] == 1
    assert resolved["coalition_activity_organisations"] == 1
    assert resolved["coalition_memberships"] == 1


def test_the_merge_page_works_for_organisations_sharing_rows(client, login_as, factories,
                                                           db_session, both):
    """The reported 500: two supporters of one commitment."""
    from coalitions.plans.models import ActionPlan, Commitment, commitment_supporters

    kept, duplicate = both
    plan = ActionPlan(title="Plan", starts_on=date(2020, 1, 1), ends_on=date(2022, 1, 1))
    commitment = Commitment(plan=plan, title="Open budgets")
    db_session.add_all([plan, commitment])
    db_session.flush()
    db_session.execute(insert(commitment_supporters), [
        {"commitment_id": commitment.id, "organisation_id": kept.id},
        {"commitment_id": commitment.id, "organisation_id": duplicate.id}])
    login_as("staff")
    response = client.post(f"/organisations/{kept.id}/merge",
                           data={"duplicate_id": str(duplicate.id), "confirm": "y"})
    assert response.status_code == 302
