"""The current cycle, placed around the day the demo is loaded (DESIGN.md §5), so that every
role finds live work: a call open with days left, a call whose panel is mid-review (with a
declared and a detected conflict), and a cycle decided months ago whose awards have a tranche
due this month, a report overdue by days and a report waiting for staff; an event of last
week whose attendance sheet is still to be imported.

Everything is computed from ``today`` and the fixed tables below, so the same day gives the
same programme; the cycle loads once (its fund is the marker), so loading again changes
nothing."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from accounts.models import User
from accounts.organisations.models import OrganisationMember
from accounts.organisations.states import MemberRole, Sector
from coalitions.events.operations import create_event
from coalitions.events.states import EventType
from core.extensions import db
from demo.awards import awarded_amount, demo_award
from demo.grants import (
    CSOS,
    GOVERNMENT,
    demo_application,
    demo_call,
    demo_organisation,
    ensure_member,
    translate_call,
)
from demo.reviews import EXTRA_REVIEWERS, demo_reviewer, submitted_review
from grants.applications.states import ApplicationState as S
from grants.applications.states import EndorsementState
from grants.awards.states import DisbursementState
from grants.calls.models import Fund
from grants.calls.operations import transition_call
from grants.calls.states import CallState
from grants.monitoring.states import ReportState as R
from grants.reviews.models import Decision
from grants.reviews.operations import add_member, assign, create_panel, declare_conflict, set_chair
from grants.reviews.states import Outcome

FUND_NAME = "Open Government Action Plan Support"
DISTRICTS = dict(CSOS)
#: The reviewer whose membership of an applicant organisation the system finds by itself.
MEMBER_REVIEWER_ORGANISATION = "Youth Empowerment for Change"
#: The Spanish of the text the later calls share.
JOINT_PROJECTS_ES = ("Proyectos realizados conjuntamente por una organización de la sociedad civil "
                     "y un organismo del gobierno.")

#: The cycle decided months ago: (applicant, state, award stage or None). A stage is
#: (paid tranches, an open request's state, mid-term report, final report, reversal?).
DECIDED = [
    ("Citizens for Transparency Belize", S.awarded, (1, None, R.due, R.due, False)),
    ("Cayo Community Action Network", S.awarded,
     (1, DisbursementState.requested, R.submitted, R.due, False)),
    ("Corozal Women in Leadership", S.awarded, (1, None, R.accepted, R.due, False)),
    ("Orange Walk Civic Forum", S.waitlisted, None),
    ("Toledo Youth Voices", S.declined, None),
]
#: The call in review: (applicant, state before the panel; eligible ones go to the panel).
IN_REVIEW = [
    ("Stann Creek Open Data Collective", S.eligible),
    ("Belize Budget Watch", S.eligible),
    ("Digital Belize Foundation", S.eligible),
    (MEMBER_REVIEWER_ORGANISATION, S.eligible),
    ("Healthy Communities Belize", S.eligible),
    ("Integrity Action Belize", S.ineligible),
    ("Belmopan Residents Union", S.submitted),
    ("Northern Farmers Association", S.withdrawn),
]
#: Of the call in review, the applications left eligible (screened, no reviewer yet).
NOT_YET_ASSIGNED = {"Healthy Communities Belize"}
#: The open call: (applicant, state, endorsement).
OPEN = [
    ("Citizens for Transparency Belize", S.draft, EndorsementState.pending),
    ("Garifuna Heritage and Rights Council", S.submitted, EndorsementState.pending),
    ("Mopan Maya Community Alliance", S.submitted, EndorsementState.endorsed),
    ("Belize Disability Rights Network", S.draft, EndorsementState.pending),
]


def _at(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def due_this_month(today: date) -> date:
    """A day a few days ahead, but still in ``today``'s month."""
    last = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    return min(today + timedelta(days=4), last)


def load(users: dict[str, User], today: date) -> Fund | None:
    staff, finance = users.get("staff"), users.get("finance")
    if staff is None or finance is None or users.get("reviewer") is None:
        return None
    existing = db.session.scalar(select(Fund).where(Fund.name == FUND_NAME))
    if existing is not None:
        return existing
    donor = demo_organisation("Embassy of the Donor Country", Sector.international, "Belize")
    manager = demo_organisation("Regional Open Government Foundation", Sector.civil_society,
                                "Belize")
    fund = Fund(name=FUND_NAME, donor_organisation_id=donor.id,
                managing_organisation_id=manager.id, currency="USD",
                total_budget=Decimal("50000.00"))
    db.session.add(fund)
    db.session.flush()
    _decided_cycle(fund, users, today)
    _call_in_review(fund, users, today)
    _open_call(fund, users, today)
    _event_awaiting_attendance(staff, manager, today)
    db.session.flush()
    return fund


def _counterpart(index: int):
    return demo_organisation(GOVERNMENT[index % len(GOVERNMENT)], Sector.government, "Belize")


def _applications(call, rows, staff, *, start: int, submitted_on: date,
                  starts_on: date, decided_at=None) -> list:
    made = []
    for offset, row in enumerate(rows):
        name, state = row[0], row[1]
        endorsement = row[2] if len(row) > 2 and isinstance(row[2], EndorsementState) else (
            EndorsementState.declined if state == S.declined else EndorsementState.endorsed)
        organisation = demo_organisation(name, Sector.civil_society,
                                         DISTRICTS.get(name, "Belize"))
        made.append(demo_application(
            call, organisation, _counterpart(start + offset), organisation.district, state,
            start + offset, staff, endorsement=endorsement, decided_at=decided_at,
            submitted_at=_at(submitted_on + timedelta(days=offset), 16), starts_on=starts_on))
    return made


def _decided_cycle(fund, users, today: date) -> None:
    """Decided five months ago; the awards are half-way through."""
    staff, finance = users["staff"], users["finance"]
    opens_on = today - timedelta(days=240)
    decided_at = _at(today - timedelta(days=150), 16)
    starts_on = today - timedelta(days=100)
    call = demo_call(
        fund, title=f"Citizen Participation Grants {opens_on.year}", max_awards=3,
        summary="Grants for partnerships that bring citizens into local decisions.",
        body="Projects run jointly by a civil-society organisation and a government body.",
        opens_at=_at(opens_on, 14), closes_at=_at(opens_on + timedelta(days=50), 23),
        state=CallState.in_review)
    translate_call(
        call, "es", title=f"Subvenciones para la participación ciudadana {opens_on.year}",
        summary="Subvenciones para alianzas que llevan a la ciudadanía a las decisiones locales.",
        body_markdown=JOINT_PROJECTS_ES)
    applications = _applications(call, DECIDED, staff, start=0,
                                 submitted_on=opens_on + timedelta(days=20),
                                 starts_on=starts_on, decided_at=decided_at)
    outcomes = {S.awarded: Outcome.award, S.waitlisted: Outcome.waitlist,
                S.declined: Outcome.decline}
    for application in applications:
        outcome = outcomes[application.state]
        db.session.add(Decision(application=application, outcome=outcome,
                                amount=awarded_amount(application, outcome),
                                method="raw", decided_by_id=users["reviewer"].id,
                                decided_at=decided_at,
                                rationale="Decided by the panel on its ranking."))
    transition_call(call, CallState.decided, staff)
    overdue_on = today - timedelta(days=12)
    midterms = [overdue_on, today - timedelta(days=5), today - timedelta(days=40)]
    # The awarded three come first in DECIDED; the waitlisted and declined get no award.
    for application, (_name, _state, stage), midterm_on in zip(applications, DECIDED,
                                                                midterms, strict=False):
        demo_award(application, stage, staff, finance, year=decided_at.year,
                   starts_on=starts_on, ends_on=starts_on + timedelta(days=240),
                   midterm_on=midterm_on, next_tranche_on=due_this_month(today))
    db.session.flush()


def _call_in_review(fund, users, today: date) -> None:
    """Closed three weeks ago; the panel is half-way through its reviews."""
    staff, reviewer = users["staff"], users["reviewer"]
    opens_on = today - timedelta(days=75)
    closes_on = today - timedelta(days=21)
    call = demo_call(
        fund, title=f"Open Data for Accountability Grants {closes_on.year}", max_awards=3,
        summary="Grants for projects that publish and use data to hold institutions to "
                "account.",
        body="Projects run jointly by a civil-society organisation and a government body.",
        opens_at=_at(opens_on, 14), closes_at=_at(closes_on, 23), state=CallState.in_review)
    translate_call(
        call, "es", title=f"Subvenciones de datos abiertos para la rendición de cuentas "
                          f"{closes_on.year}",
        summary="Subvenciones para proyectos que publican y usan datos para que las "
                "instituciones rindan cuentas.",
        body_markdown=JOINT_PROJECTS_ES)
    applications = _applications(call, IN_REVIEW, staff, start=3,
                                 submitted_on=closes_on - timedelta(days=10),
                                 starts_on=today + timedelta(days=45))
    harsh, lenient = (demo_reviewer(email, name) for email, name, _s in EXTRA_REVIEWERS)
    # The harsh reviewer belongs to an applicant organisation: a conflict the system finds.
    member_of = demo_organisation(MEMBER_REVIEWER_ORGANISATION, Sector.civil_society, "Belize")
    if not db.session.scalar(select(OrganisationMember.id).where(
            OrganisationMember.organisation_id == member_of.id,
            OrganisationMember.user_id == harsh.id)):
        db.session.add(OrganisationMember(organisation=member_of, user=harsh,
                                          role=MemberRole.member))
    panel = create_panel(call, staff, due_at=_at(today + timedelta(days=10), 23),
                         reviewers_per_application=3)
    for user in (reviewer, harsh, lenient):
        add_member(panel, user, staff)
    set_chair(panel, reviewer, staff)
    reviewed = [a for a, (name, state) in zip(applications, IN_REVIEW, strict=True)
                if state == S.eligible and name not in NOT_YET_ASSIGNED]
    # Who has submitted what, by application: the others are still to do.
    submitted = {0: {harsh.id, lenient.id, reviewer.id}, 1: {harsh.id}, 2: {lenient.id}}
    for rank, application in enumerate(reviewed):
        for user, severity in ((reviewer, 0), (harsh, -2), (lenient, 2)):
            if user is harsh and application.organisation_id == member_of.id:
                continue
            assignment = assign(panel, application, user, staff)
            if user.id in submitted.get(rank, set()):
                assignment.review = submitted_review(call, rank, severity,
                                                     _at(today - timedelta(days=3 - rank)))
    db.session.flush()
    declare_conflict(panel, lenient, application=reviewed[1],
                     reason="My sister chairs this organisation's board.")


def _open_call(fund, users, today: date) -> None:
    """Opened a week ago at 8:00 and closes in a month at 17:00, Belize time (UTC−6)."""
    call = demo_call(
        fund, title=f"Action Plan Co-creation Grants {today.year}", max_awards=4,
        summary="Small grants for coalitions that co-create commitments for the national "
                "open government action plan.",
        body="Applications are open. Partnerships with a government counterpart only.",
        opens_at=_at(today - timedelta(days=7), 14),
        closes_at=_at(today + timedelta(days=30), 23), state=CallState.published)
    translate_call(
        call, "es", title=f"Subvenciones para la co-creación del plan de acción {today.year}",
        summary="Pequeñas subvenciones para coaliciones que co-crean compromisos del plan de "
                "acción nacional de gobierno abierto.",
        body_markdown="La convocatoria está abierta. Solo alianzas con una contraparte "
                      "gubernamental.")
    applicant = users.get("applicant")
    applications = _applications(call, OPEN, users["staff"], start=11,
                                 submitted_on=today - timedelta(days=3),
                                 starts_on=today + timedelta(days=90))
    if applicant is not None:
        ensure_member(applications[0].organisation, applicant)


def _event_awaiting_attendance(staff, organiser, today: date) -> None:
    held_on = today - timedelta(days=3)
    create_event(staff, type=EventType.workshop.value,
                 title="Open data clinic for grantees", starts_on=held_on, ends_on=held_on,
                 district="Belize", venue="Belize City community centre",
                 description="Hands-on help for grantees publishing their project data; the "
                             "sign-in sheet is still to be imported.",
                 organiser_id=organiser.id)
