"""Read helpers for applications: the applicant's list, the staff list and its counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from accounts.organisations.models import Organisation, OrganisationMember
from accounts.organisations.states import Sector
from accounts.policies import is_applicant, is_staff_reader
from core import contributions, work
from core.extensions import db
from core.timeutil import utcnow
from core.translations import tr
from grants.applications.checks import SECTIONS, missing_items
from grants.applications.models import Application, Endorsement, application_thematic_areas
from grants.applications.states import ACTIVE_STATES, ApplicationState, EndorsementState
from grants.calls.models import Call, Fund, ThematicArea
from grants.calls.states import CallState

SORTS = {
    "submitted": (Application.submitted_at.desc().nulls_last(), Application.id.desc()),
    "reference": (Application.reference.asc().nulls_last(), Application.id),
    "title": (func.lower(Application.title), Application.id),
    "organisation": (func.lower(Organisation.name), Application.id),
    "amount": (Application.requested_amount.desc().nulls_last(), Application.id),
}

#: Endorsement filter values: the endorsement's state, or "none" for not requested yet.
ENDORSEMENT_FILTERS = ["none", *[state.value for state in EndorsementState]]


@dataclass
class StaffFilters:
    call_id: int | None = None
    state: ApplicationState | None = None
    thematic_area_id: int | None = None
    district: str | None = None
    endorsement: str | None = None
    search: str = ""
    sort: str = "submitted"


def _with_details(query):
    return query.options(
        joinedload(Application.organisation), joinedload(Application.counterpart),
        joinedload(Application.endorsement),
        joinedload(Application.call).joinedload(Call.fund),
    )


def applications_of_user(user) -> list[Application]:
    """Applications of every organisation the user belongs to, newest first."""
    organisation_ids = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id)
    query = _with_details(select(Application).where(
        Application.organisation_id.in_(organisation_ids))
        .order_by(Application.created_at.desc()))
    return list(db.session.scalars(query).unique())


def applicant_organisations(user) -> list[Organisation]:
    """The civil-society organisations the user may apply for."""
    return list(db.session.scalars(
        select(Organisation).join(OrganisationMember)
        .where(OrganisationMember.user_id == user.id,
               Organisation.sector == Sector.civil_society)
        .order_by(Organisation.name)))


def applications_to_call(call, organisations) -> dict[int, Application]:
    """Organisation id → its active application to ``call``, for the organisations given."""
    ids = [organisation.id for organisation in organisations]
    if not ids:
        return {}
    return {application.organisation_id: application for application in db.session.scalars(
        select(Application).where(Application.call_id == call.id,
                                  Application.organisation_id.in_(ids),
                                  Application.state.in_(ACTIVE_STATES))
        .order_by(Application.id))}


def government_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        Organisation.sector == Sector.government).order_by(Organisation.name)))


def _filtered(filters: StaffFilters):
    query = select(Application)
    if filters.search or filters.sort == "organisation":
        # Joined only when its name is searched or sorted on: the counts and the page's ids
        # otherwise read the applications alone (a join over every application cost the
        # list most of its time). Every application has its organisation.
        query = query.join(Application.organisation)
    if filters.call_id:
        query = query.where(Application.call_id == filters.call_id)
    if filters.state:
        query = query.where(Application.state == filters.state)
    else:
        # Drafts belong to the applicants until they submit.
        query = query.where(Application.state != ApplicationState.draft)
    if filters.thematic_area_id:
        query = query.where(Application.id.in_(
            select(application_thematic_areas.c.application_id).where(
                application_thematic_areas.c.thematic_area_id == filters.thematic_area_id)))
    if filters.district:
        # Districts are a short JSON list; its text holds each name in quotes.
        query = query.where(cast(Application.districts, String).contains(f'"{filters.district}"'))
    if filters.endorsement == "none":
        query = query.where(~Application.endorsement.has())
    elif filters.endorsement:
        query = query.where(Application.endorsement.has(
            Endorsement.state == EndorsementState(filters.endorsement)))
    if filters.search:
        pattern = f"%{filters.search.lower()}%"
        query = query.where(or_(func.lower(Application.reference).like(pattern),
                                func.lower(Application.title).like(pattern),
                                func.lower(Organisation.name).like(pattern)))
    return query


def staff_application_ids(filters: StaffFilters):
    """The ids of the matching applications in the chosen order, to paginate. Only the ids
    and the sort keys go through the sort: sorting the whole rows with their details cost
    the list most of its time once there were thousands of applications."""
    return (_filtered(filters).with_only_columns(Application.id)
            .order_by(*SORTS.get(filters.sort, SORTS["submitted"])))


def applications_with_details(ids: list[int]) -> list[Application]:
    """The applications of ``ids``, in that order, with what the staff list shows."""
    if not ids:
        return []
    found = {application.id: application for application in db.session.scalars(
        _with_details(select(Application).where(Application.id.in_(ids))))}
    return [found[id_] for id_ in ids if id_ in found]


def counts_by_state(filters: StaffFilters) -> dict[ApplicationState, int]:
    """Counts per state for the other filters, in one aggregate query."""
    without_state = StaffFilters(**{**filters.__dict__, "state": None})
    # Grouped in the filtered query itself: one pass over the applications, where a
    # semi-join on the filtered ids read them twice.
    rows = db.session.execute(
        _filtered(without_state).with_only_columns(Application.state, func.count())
        .group_by(Application.state))
    counts = {state: 0 for state in ApplicationState if state != ApplicationState.draft}
    counts.update({ApplicationState(state): count for state, count in rows})
    return counts


def load_for_overview(application_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(Application.id == application_id)
                             .options(selectinload(Application.attachments),
                                      selectinload(Application.budget_lines),
                                      selectinload(Application.thematic_areas)))


def section_progress(application: Application) -> list[dict]:
    """Each section with whether it is complete, for the progress indicator."""
    problems = missing_items(application)
    incomplete = {problem.section for problem in problems}
    return [{"key": key, "title": title, "is_complete": key not in incomplete,
             "problems": [p for p in problems if p.section == key]}
            for key, title in SECTIONS]


def calls_with_applications() -> list:
    """Calls that can hold submitted applications (not drafts), for the staff filter: their
    titles only."""
    return list(db.session.scalars(
        select(Call).where(Call.state != CallState.draft)
        .options(load_only(Call.id, Call.title, Call.translations))
        .order_by(Call.closes_at.desc())))


def areas_of_call(call_id: int | None) -> list[ThematicArea]:
    """The chosen call's thematic areas, for the staff filter (none without a call)."""
    if call_id is None:
        return []
    return list(db.session.scalars(select(ThematicArea).where(ThematicArea.call_id == call_id)
                                   .order_by(ThematicArea.position)))


# What calls ask of their applications (core.contributions) ---------------------------------

@contributions.provide("call.has_submissions")
def call_has_submissions(call: Call) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Application.call_id == call.id,
        Application.state != ApplicationState.draft))))


@contributions.provide("fund.has_submissions")
def fund_has_submissions(fund: Fund) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Application.call_id == Call.id, Call.fund_id == fund.id,
        Application.state != ApplicationState.draft))))


@contributions.provide("call.chosen_area_names")
def chosen_area_names(area_ids: list[int]) -> list[str]:
    """Of these thematic areas, the names of those an application has chosen."""
    return list(db.session.scalars(
        select(ThematicArea.name).where(ThematicArea.id.in_(area_ids), exists().where(
            application_thematic_areas.c.thematic_area_id == ThematicArea.id))
        .order_by(ThematicArea.position)))


@contributions.provide("call.application_counts")
def application_counts(call_ids: list[int] | None = None) -> dict[int, dict]:
    """``{call_id: {ApplicationState: count}}`` in one aggregate query, states in the
    workflow's order (calls without applications are absent)."""
    query = select(Application.call_id, Application.state, func.count(Application.id)) \
        .group_by(Application.call_id, Application.state)
    if call_ids is not None:
        if not call_ids:
            return {}
        query = query.where(Application.call_id.in_(call_ids))
    counts: dict[int, dict] = defaultdict(dict)
    for call_id, state, count in db.session.execute(query):
        counts[call_id][ApplicationState(state)] = count
    # In the workflow's order, for display.
    return {call_id: {state: by_state[state] for state in ApplicationState if state in by_state}
            for call_id, by_state in counts.items()}


# My work -----------------------------------------------------------------------------------

def _applicant_item(application: Application, detail: str, **fields) -> work.WorkItem:
    return work.WorkItem(
        label=application.title or str(application.display_reference),
        url=url_for("applications.detail", application_id=application.id),
        detail=f"{application.organisation.name} · {detail}", **fields)


@work.provide("applications.mine", _l("My applications"), is_applicant, order=20,
              see_all="applications.mine")
def applications_work(user, today) -> list[work.WorkItem]:
    """Drafts to finish before their call closes and submitted applications whose
    counterpart has not endorsed them yet."""
    now = utcnow()
    items = []
    for application in applications_of_user(user):
        endorsement = application.endorsement
        if application.state == ApplicationState.draft:
            if application.call.closes_at is not None and application.call.closes_at <= now:
                continue  # the call closed: nothing left to do with it
            items.append(_applicant_item(application, _("Draft: finish and submit it"),
                                         due=application.call.closes_at))
        elif (application.state == ApplicationState.submitted and endorsement is not None
              and endorsement.state in (EndorsementState.pending, EndorsementState.voided)):
            items.append(_applicant_item(
                application, _("Waiting for the counterpart's endorsement")
                if endorsement.state == EndorsementState.pending
                else _("The endorsement is needed again"), due=endorsement.expires_at))
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda item: item.due or far)


@work.provide("applications.staff", _l("Applications"), is_staff_reader, order=35,
              see_all="applications_admin.list_applications")
def staff_applications_work(user, today) -> list[work.WorkItem]:
    """Per call, the submitted applications to screen and those whose counterpart has not
    endorsed them yet (two aggregate queries and one for the calls' titles)."""
    to_screen = dict(db.session.execute(
        select(Application.call_id, func.count()).where(
            Application.state == ApplicationState.submitted)
        .group_by(Application.call_id)).all())
    awaiting = dict(db.session.execute(
        select(Application.call_id, func.count()).join(Application.endorsement).where(
            Application.state.in_([ApplicationState.submitted, ApplicationState.eligible]),
            Endorsement.state == EndorsementState.pending)
        .group_by(Application.call_id)).all())
    ids = set(to_screen) | set(awaiting)
    if not ids:
        return []
    calls = {call.id: call for call in db.session.scalars(select(Call).where(Call.id.in_(ids)))}
    items = []
    for call_id in sorted(ids):
        list_url = "applications_admin.list_applications"
        if to_screen.get(call_id):
            items.append(work.WorkItem(
                label=tr(calls[call_id], "title"), count=to_screen[call_id],
                url=url_for(list_url, call_id=call_id, state=ApplicationState.submitted.value),
                detail=_("Submitted applications to screen")))
        if awaiting.get(call_id):
            items.append(work.WorkItem(
                label=tr(calls[call_id], "title"), count=awaiting[call_id],
                url=url_for(list_url, call_id=call_id,
                            endorsement=EndorsementState.pending.value),
                detail=_("Waiting for the counterpart's endorsement")))
    return items
