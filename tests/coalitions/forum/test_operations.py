"""The forum's operations and policies, called directly."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from accounts.organisations.states import Sector
from coalitions.coalitions.operations import create_coalition
from coalitions.forum import operations, policies, queries
from coalitions.forum.models import Forum, ForumMember, Meeting
from core.audit.models import AuditEntry
from core.errors import OperationError
from core.locking import AlreadyDone
from tests.coalitions.forum.conftest import meeting_fields


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_forum_is_made_once_on_the_first_write(db_session, staff):
    assert queries.forum() is None
    first = operations.ensure_forum(staff)
    assert operations.ensure_forum(staff) is first
    assert _count(db_session, Forum) == 1


def test_the_rules_and_coalitions_are_saved_in_both_languages(db_session, staff):
    coalition = create_coalition(staff, name="Open Data Coalition")
    changes = operations.update_forum(
        staff, name="Belize OGP Forum", rules="## Who\n\nAnyone.",
        translations={"es": {"name": "Foro OGP de Belice", "rules": "## Quién\n\nTodos."}},
        coalition_ids=[str(coalition.id)])
    forum = queries.forum()
    assert set(changes) >= {"name", "rules", "coalition_ids", "translations.es"}
    assert forum.text_in("rules", "es") == "## Quién\n\nTodos."
    assert [c.name for c in forum.coalitions] == ["Open Data Coalition"]
    again = operations.update_forum(
        staff, name="Belize OGP Forum", rules="## Who\n\nAnyone.",
        translations={"es": {"name": "Foro OGP de Belice", "rules": "## Quién\n\nTodos."}},
        coalition_ids=[str(coalition.id)])
    assert again == {}


def test_the_forum_needs_a_name(staff):
    with pytest.raises(OperationError) as error:
        operations.update_forum(staff, name=" ", rules="")
    assert error.value.field == "name"


def test_members_are_grouped_by_sector(members):
    groups = queries.members_by_sector(queries.forum())
    assert [(group.sector, len(group.members)) for group in groups] == [
        (Sector.civil_society, 1), (Sector.government, 2)]
    assert [m.organisation.name for m in groups[1].members] == [
        "Ministry of Education", "Ministry of Finance"]


def test_a_current_member_cannot_be_added_twice(members, staff):
    with pytest.raises(AlreadyDone):
        operations.add_member(staff, organisation_id=members[0].organisation_id,
                              joined_on=date(2020, 3, 1))


def test_an_ended_membership_leaves_the_groups_and_may_start_again(db_session, members, staff):
    member = members[2]
    with pytest.raises(OperationError) as error:
        operations.end_membership(member, staff, left_on=date(2019, 1, 1))
    assert error.value.field == "left_on"
    operations.end_membership(member, staff, left_on=date(2020, 6, 30))
    with pytest.raises(AlreadyDone):
        operations.end_membership(member, staff, left_on=date(2020, 7, 1))
    assert [g.sector for g in queries.members_by_sector(queries.forum())] == [Sector.government]
    assert queries.past_members(queries.forum()) == [member]
    operations.add_member(staff, organisation_id=member.organisation_id,
                          joined_on=date(2021, 1, 1))
    assert _count(db_session, ForumMember) == 4


def test_a_meeting_with_attendance_and_decisions(db_session, members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields(
        attendee_ids=[str(members[0].id), str(members[2].id)],
        translations={"es": {"title": "Primera reunión", "agenda": "", "minutes": ""}}))
    assert meeting.held_on == date(2020, 2, 3)
    assert {m.id for m in meeting.attendees} == {members[0].id, members[2].id}
    assert operations.set_decisions(meeting, staff, text="Adopt the rules\nMeet monthly",
                                    translations={"es": "Adoptar las reglas"})
    assert [d.text for d in meeting.decisions] == ["Adopt the rules", "Meet monthly"]
    assert meeting.decisions[0].text_in("text", "es") == "Adoptar las reglas"
    assert not operations.set_decisions(meeting, staff, text="Adopt the rules\nMeet monthly",
                                        translations={"es": "Adoptar las reglas"})
    with pytest.raises(AlreadyDone):
        operations.create_meeting(staff, **meeting_fields())
    actions = set(db_session.scalars(select(AuditEntry.action)))
    assert {"forum.create_meeting", "forum.set_decisions"} <= actions


def test_more_translated_decisions_than_decisions_are_refused(members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields())
    with pytest.raises(OperationError) as error:
        operations.set_decisions(meeting, staff, text="One",
                                 translations={"es": "Uno\nDos"})
    assert error.value.field == "translations_es-decisions"


@pytest.mark.parametrize(("field", "value"), [
    ("title", ""), ("starts_at", None), ("format", "by_pigeon"), ("other_attendees", -1),
    ("attendee_ids", ["x"]), ("attendee_ids", ["999999"])])
def test_bad_meeting_values_name_their_field(members, staff, field, value):
    with pytest.raises(OperationError) as error:
        operations.create_meeting(staff, **meeting_fields(**{field: value}))
    assert error.value.field == field


def test_a_meeting_update_reports_its_changes(members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields())
    changes = operations.update_meeting(meeting, staff, **meeting_fields(
        place="Online", format="online", attendee_ids=[str(members[1].id)]))
    assert set(changes) == {"place", "format", "attendee_ids"}
    assert operations.update_meeting(meeting, staff, **meeting_fields(
        place="Online", format="online", attendee_ids=[str(members[1].id)])) == {}


def test_only_staff_manage_and_unpublished_meetings_are_hidden(factories, members, staff):
    meeting = operations.create_meeting(staff, **meeting_fields(is_published=False))
    applicant = factories.user(roles=("applicant",))
    assert policies.can_browse(None)[0]
    assert policies.can_manage(staff)[0] and not policies.can_manage(applicant)[0]
    assert policies.can_view_meeting(staff, meeting)[0]
    assert not policies.can_view_meeting(applicant, meeting)[0]
    assert queries.meetings(queries.forum()) == []
    assert queries.meetings(queries.forum(), include_unpublished=True) == [meeting]


# The six-month warning ---------------------------------------------------------------------

def test_months_later_keeps_to_the_end_of_a_short_month():
    assert queries.months_later(date(2020, 8, 31), 6) == date(2021, 2, 28)
    assert queries.months_later(date(2019, 8, 31), 6) == date(2020, 2, 29)
    assert queries.months_later(date(2020, 7, 15), 6) == date(2021, 1, 15)


def test_no_warning_without_a_forum_or_members(db_session, staff):
    assert queries.meeting_gap(date(2021, 1, 1)) is None
    operations.ensure_forum(staff)
    assert queries.meeting_gap(date(2021, 1, 1)) is None


def test_a_forum_with_members_and_no_meeting_is_warned_about(members):
    gap = queries.meeting_gap(date(2020, 2, 1))
    assert gap is not None and gap.last_held_on is None


def test_the_warning_comes_six_months_after_the_last_meeting(members, staff):
    operations.create_meeting(staff, **meeting_fields(
        starts_at=datetime(2020, 3, 10, 15, tzinfo=UTC)))
    assert queries.meeting_gap(date(2020, 9, 10)) is None
    gap = queries.meeting_gap(date(2020, 9, 11))
    assert gap.last_held_on == date(2020, 3, 10) and gap.due_on == date(2020, 9, 10)
    # A meeting planned for later does not count as held.
    operations.create_meeting(staff, **meeting_fields(
        title="Planned", starts_at=datetime(2020, 12, 1, 15, tzinfo=UTC)))
    assert queries.meeting_gap(date(2020, 9, 11)) is not None
    assert queries.meeting_gap(date(2020, 12, 2)) is None


def test_the_warning_is_on_staffs_work_home(app, members, staff, factories):
    from core import work

    with app.test_request_context():
        sections = {s.name: s for s in work.sections_for(staff, date(2021, 1, 1))}
        assert "forum.meetings" in sections
        assert sections["forum.meetings"].items[0].overdue
        applicant = factories.user(roles=("applicant",))
        assert "forum.meetings" not in {s.name for s in work.sections_for(applicant,
                                                                         date(2021, 1, 1))}
    assert _count(members[0].__class__.query.session, Meeting) == 0
