"""The coalition sheets of the donor workbook: coalitions, memberships, action-plan
commitments, events, participants and organisations engaged.

Events, participants and organisations are exactly the sets the programme's indicators count
(``reporting.indicators.queries``): the events whose first day is in the period, the people
who attended one of them, the organisations engaged. Events, people and coalitions belong to
no fund, so the fund filter does not narrow them (it narrows the grant reasons an
organisation counts as engaged, as on the indicators page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, extract, func, select

from accounts.organisations.models import Organisation
from coalitions.coalitions.models import (
    Coalition,
    CoalitionActivity,
    CoalitionMembership,
    coalition_awards,
)
from coalitions.events.models import Attendance, Event, Person
from coalitions.events.states import Sex
from coalitions.plans.models import (
    ActionPlan,
    Commitment,
    Milestone,
    commitment_coalitions,
    commitment_supporters,
)
from coalitions.plans.states import MilestoneState
from core.extensions import db
from core.spreadsheets import Column
from core.translations import stored_text
from grants.awards.models import Award
from grants.calls.queries import area_titles
from reporting import disclosure, privacy
from reporting.indicators.queries import (
    REASONS,
    YOUTH_AGE,
    age_band,
    engagements,
    events_in,
    first_attendance,
)
from reporting.workbook.queries import Scope, joined, stream
from reporting.workbook.sheet import SheetSpec, title_of


def sex_titles() -> dict:
    """Sex value (None: not recorded) → its title in the current language."""
    titles = {sex: sex.title for sex in Sex}
    titles[None] = _("Not recorded")
    return titles


def age_titles() -> dict[str, str]:
    """The indicators' age bands → their titles in the current language."""
    return {"under_30": _("Under 30"), "30_and_over": _("30 and over"),
            "not_recorded": _("Age not recorded")}


# Coalitions and memberships ------------------------------------------------------------------

def _memberships_in(scope: Scope) -> list:
    """Membership periods sharing a day with the period."""
    return scope.overlapping(CoalitionMembership.joined_on, CoalitionMembership.left_on)


def coalitions_sheet(scope: Scope) -> SheetSpec:
    """Coalitions formed in the period or with a member during it (every coalition for the
    whole programme)."""
    columns = [
        Column(_("Coalition"), width=36, wrap=True), Column(_("State"), width=12, wrap=True),
        Column(_("Thematic areas"), width=32, wrap=True),
        Column(_("Lead organisation"), width=32, wrap=True),
        Column(_("Formed on"), "date"), Column(_("Members in the period"), "integer"),
        Column(_("Members now"), "integer"), Column(_("Activities in the period"), "integer"),
        Column(_("Linked awards"), width=28, wrap=True),
    ]
    return SheetSpec(_("Coalitions"), columns, _coalition_rows(scope))


def _coalition_rows(scope: Scope) -> Iterator[list]:
    members = (select(CoalitionMembership.coalition_id,
                      func.count(func.distinct(CoalitionMembership.organisation_id))
                      .label("members"))
               .where(*_memberships_in(scope)).group_by(CoalitionMembership.coalition_id)
               .subquery("members"))
    current = (select(CoalitionMembership.coalition_id,
                      func.count(func.distinct(CoalitionMembership.organisation_id))
                      .label("members"))
               .where(CoalitionMembership.left_on.is_(None))
               .group_by(CoalitionMembership.coalition_id).subquery("current"))
    activities = (select(CoalitionActivity.coalition_id, func.count().label("activities"))
                  .where(*scope.days(CoalitionActivity.happened_on))
                  .group_by(CoalitionActivity.coalition_id).subquery("activities"))
    awards: dict[int, list[str]] = defaultdict(list)
    for coalition_id, reference in db.session.execute(
            select(coalition_awards.c.coalition_id, Award.reference)
            .join(Award, Award.id == coalition_awards.c.award_id)
            .order_by(coalition_awards.c.coalition_id, Award.reference)):
        awards[coalition_id].append(reference)
    conditions = scope.any_of([members.c.members.is_not(None)],
                              scope.days(Coalition.formed_on))
    query = (select(Coalition.id, Coalition.name, Coalition.state, Coalition.thematic_areas,
                    Organisation.name, Coalition.formed_on, members.c.members,
                    current.c.members, activities.c.activities)
             .outerjoin(Organisation, Coalition.lead_organisation_id == Organisation.id)
             .outerjoin(members, members.c.coalition_id == Coalition.id)
             .outerjoin(current, current.c.coalition_id == Coalition.id)
             .outerjoin(activities, activities.c.coalition_id == Coalition.id)
             .where(*conditions).order_by(Coalition.name, Coalition.id))
    # A coalition's areas are free text; those named as a call's thematic area read in the
    # reader's language, as the grant sheets name them (coalitions are few: one query).
    titles = area_titles({area for areas in db.session.scalars(select(Coalition.thematic_areas))
                          for area in areas or []})
    for (coalition_id, name, state, areas, lead, formed_on, in_period, now,
         done) in stream(query):
        yield [name, state.title, joined([titles.get(area, area) for area in areas or []]),
               lead, formed_on, in_period or 0,
               now or 0, done or 0, joined(awards.get(coalition_id, []))]


def memberships_sheet(scope: Scope) -> SheetSpec:
    """Membership periods sharing a day with the period."""
    columns = [
        Column(_("Coalition"), width=36, wrap=True), Column(_("Organisation"), width=36, wrap=True),
        Column(_("Sector"), width=22, wrap=True), Column(_("Role"), width=12, wrap=True),
        Column(_("Joined on"), "date"), Column(_("Left on"), "date"),
    ]
    query = (select(Coalition.name, Organisation.name, Organisation.sector,
                    CoalitionMembership.role, CoalitionMembership.joined_on,
                    CoalitionMembership.left_on)
             .join(Coalition, CoalitionMembership.coalition_id == Coalition.id)
             .join(Organisation, CoalitionMembership.organisation_id == Organisation.id)
             .where(*_memberships_in(scope))
             .order_by(Coalition.name, Coalition.id, CoalitionMembership.joined_on,
                       Organisation.name, CoalitionMembership.id))

    def rows():
        for coalition, organisation, sector, role, joined_on, left_on in stream(query):
            yield [coalition, organisation, title_of(sector), title_of(role), joined_on, left_on]

    return SheetSpec(_("Memberships"), columns, rows())


# Commitments ---------------------------------------------------------------------------------

def commitments_sheet(scope: Scope) -> SheetSpec:
    """Commitments of the published action plans running during the period, with their
    milestones' progress today."""
    columns = [
        Column(_("Action plan"), width=32, wrap=True), Column(_("Commitment"), width=40, wrap=True),
        Column(_("Thematic area"), width=24, wrap=True),
        Column(_("Lead organisation"), width=32, wrap=True),
        Column(_("Coalitions"), width=32, wrap=True),
        Column(_("Supporting organisations"), "integer"),
        Column(_("Milestones"), "integer"), Column(_("Complete"), "integer"),
        Column(_("In progress"), "integer"), Column(_("Delayed"), "integer"),
        Column(_("Not started"), "integer"), Column(_("Progress"), "percent"),
    ]
    return SheetSpec(_("Commitments"), columns, _commitment_rows(scope))


def _commitment_rows(scope: Scope) -> Iterator[list]:
    plans = [ActionPlan.is_public.is_(True),
             *scope.overlapping(ActionPlan.starts_on, ActionPlan.ends_on)]
    in_scope = select(Commitment.id).join(ActionPlan, Commitment.plan_id == ActionPlan.id) \
        .where(*plans)
    coalitions: dict[int, list[str]] = defaultdict(list)
    for commitment_id, name in db.session.execute(
            select(commitment_coalitions.c.commitment_id, Coalition.name)
            .join(Coalition, Coalition.id == commitment_coalitions.c.coalition_id)
            .where(commitment_coalitions.c.commitment_id.in_(in_scope))
            .order_by(commitment_coalitions.c.commitment_id, Coalition.name)):
        coalitions[commitment_id].append(name)
    supporters = (select(commitment_supporters.c.commitment_id,
                         func.count().label("supporters"))
                  .group_by(commitment_supporters.c.commitment_id).subquery("supporters"))
    states = [MilestoneState.complete, MilestoneState.in_progress, MilestoneState.delayed,
              MilestoneState.not_started]
    milestones = (select(Milestone.commitment_id, func.count().label("milestones"),
                         *[func.sum(case((Milestone.state == state, 1), else_=0))
                           .label(state.value) for state in states])
                  .group_by(Milestone.commitment_id).subquery("milestones"))
    query = (select(Commitment.id, ActionPlan.title, ActionPlan.translations, Commitment.title,
                    Commitment.thematic_area, Commitment.translations, Organisation.name,
                    supporters.c.supporters, milestones.c.milestones,
                    *[milestones.c[state.value] for state in states])
             .join(ActionPlan, Commitment.plan_id == ActionPlan.id)
             .outerjoin(Organisation, Commitment.lead_organisation_id == Organisation.id)
             .outerjoin(supporters, supporters.c.commitment_id == Commitment.id)
             .outerjoin(milestones, milestones.c.commitment_id == Commitment.id)
             .where(*plans)
             .order_by(ActionPlan.starts_on, ActionPlan.id, Commitment.position, Commitment.id))
    for (commitment_id, plan, plan_translations, title, area, translations, lead, supporting,
         total, complete, in_progress, delayed, not_started) in stream(query):
        total = total or 0
        yield [stored_text(plan, plan_translations, "title"),
               stored_text(title, translations, "title"),
               stored_text(area, translations, "thematic_area") or None, lead,
               joined(coalitions.get(commitment_id, [])),
               supporting or 0, total, complete or 0, in_progress or 0, delayed or 0,
               not_started or 0, (complete or 0) / total if total else None]


# Events, participants and organisations ------------------------------------------------------

def events_sheet(scope: Scope, k: int | None = None) -> SheetSpec:
    """Events whose first day is in the period, with who attended (people marked as
    attended, whatever their role). With ``k`` (the anonymised workbook), an event's women,
    under-30s and international experts are withheld when they, or the rest of its
    participants, are fewer than ``k``."""
    columns = [
        Column(_("Event"), width=40, wrap=True), Column(_("Type"), width=22, wrap=True),
        Column(_("First day"), "date"), Column(_("Last day"), "date"),
        Column(_("District"), width=14, wrap=True), Column(_("Country"), width=8),
        Column(_("Online"), "boolean"), Column(_("Organiser"), width=32, wrap=True),
        # Wide enough for "fewer than 5" in the anonymised variant.
        Column(_("Participants"), "integer"), Column(_("Women"), "integer", 13),
        Column(_("Under 30"), "integer", 13), Column(_("International experts"), "integer", 13),
    ]
    rows = _event_rows(scope)
    return SheetSpec(_("Events"), columns, rows if k is None else _withheld(rows, k))


def _withheld(rows: Iterator[list], k: int) -> Iterator[list]:
    """The event rows with their counts of people (after the participants) withheld as
    ``disclosure.share`` says, shown as "fewer than k"."""
    for row in rows:
        attended = row[PARTICIPANTS]
        yield [*row[:PARTICIPANTS + 1],
               *(disclosure.cell(disclosure.share(n, attended, k)) for n in row[PARTICIPANTS + 1:])]


#: The column of an event's participants; its breakdowns follow it.
PARTICIPANTS = 8


def _event_rows(scope: Scope) -> Iterator[list]:
    period = scope.indicators_period
    age = extract("year", Event.starts_on) - Person.birth_year
    people = (select(Attendance.event_id, func.count().label("attended"),
                     func.sum(case((Person.sex == Sex.female, 1), else_=0)).label("women"),
                     # An erased year of birth leaves the attendance's age group.
                     func.sum(case((Attendance.age_group.is_not(None),
                                    case((Attendance.age_group == "under_30", 1), else_=0)),
                                   (Person.birth_year.is_not(None) & (age < YOUTH_AGE), 1),
                                   else_=0)).label("young"),
                     func.sum(case((Person.is_international_expert.is_(True), 1), else_=0))
                     .label("experts"))
              .join(Person, Attendance.person_id == Person.id)
              .join(Event, Attendance.event_id == Event.id)
              .where(Attendance.attended.is_(True), events_in(period))
              .group_by(Attendance.event_id).subquery("people"))
    query = (select(Event.title, Event.type, Event.starts_on, Event.ends_on, Event.district,
                    Event.country, Event.is_online, Organisation.name, people.c.attended,
                    people.c.women, people.c.young, people.c.experts)
             .outerjoin(Organisation, Event.organiser_id == Organisation.id)
             .outerjoin(people, people.c.event_id == Event.id)
             .where(events_in(period)).order_by(Event.starts_on, Event.id))
    for (title, kind, starts_on, ends_on, district, country, online, organiser, attended,
         women, young, experts) in stream(query):
        yield [title, kind.title, starts_on, ends_on, district or None, country, bool(online),
               organiser, attended or 0, women or 0, young or 0, experts or 0]


def participants_sheet(scope: Scope, *, with_names: bool,
                       release: privacy.Release | None = None) -> SheetSpec:
    """One row per person who attended an event of the period (the indicators'
    participants). Sex and age group are as the indicators count them.

    With names (staff only): numbered by their record, with names, emails and every field
    exact. Anonymised: ``release`` (:func:`participants_release`), each person under a
    pseudonym drawn for this export, the other fields k-anonymous (``reporting.privacy``)."""
    person = Column(_("Person"), "integer", 9) if with_names else Column(_("Person"), width=13)
    columns = [person]
    if with_names:
        columns += [Column(_("Full name"), width=32), Column(_("Email"), width=32)]
    columns += [
        Column(_("Sex"), width=16, wrap=True), Column(_("Age group"), width=16, wrap=True),
        # Narrow enough for the anonymised sheet to print upright (its organisations are
        # mostly generalised to sectors).
        Column(_("Sector"), width=20, wrap=True), Column(_("Organisation"), width=28, wrap=True),
        # Regions when countries are generalised ("Central America").
        Column(_("Country"), width=16, wrap=True),
        Column(_("International expert"), "boolean", 12),
        Column(_("Events attended"), "integer", 10),
    ]
    rows = (_participant_rows(scope, True) if with_names else
            _released_rows(release if release is not None else participants_release(scope)))
    return SheetSpec(_("Participants"), columns, rows)


def _participants_query(scope: Scope, with_names: bool):
    period = scope.indicators_period
    first = first_attendance(period)
    attended = (select(Attendance.person_id,
                       func.count(func.distinct(Attendance.event_id)).label("events"))
                .join(Event, Attendance.event_id == Event.id)
                .where(Attendance.attended.is_(True), events_in(period))
                .group_by(Attendance.person_id).subquery("attended"))
    names = (Person.full_name, Person.email) if with_names else ()
    return (select(Person.id, *names, Person.sex, age_band(first), Organisation.sector,
                   Organisation.name, Person.country, Person.is_international_expert,
                   attended.c.events)
            .join(first, first.c.person_id == Person.id)
            .join(attended, attended.c.person_id == Person.id)
            .outerjoin(Organisation, Person.organisation_id == Organisation.id)
            .order_by(Person.id))


def _participant_rows(scope: Scope, with_names: bool) -> Iterator[list]:
    # Titles resolved once: a lazy string is translated again every time it is read.
    sexes = {key: str(title) for key, title in sex_titles().items()}
    ages = age_titles()
    sectors: dict = {}
    for row in stream(_participants_query(scope, with_names)):
        *head, sex, band, sector, organisation, country, expert, events = row
        if sector not in sectors:
            sectors[sector] = title_of(sector)
        yield [*head, sexes[sex], ages.get(band, band), sectors[sector], organisation,
               country, bool(expert), events]


def participants_release(scope: Scope) -> privacy.Release:
    """The participants of the period released k-anonymously (k: ``PRIVACY_MIN_GROUP``):
    the raw values, untranslated, with the number of events each attended."""
    records = ({"sex": sex, "age": band, "sector": sector, "organisation": organisation,
                "country": country, "expert": bool(expert), "events": events}
               for _id, sex, band, sector, organisation, country, expert, events
               in stream(_participants_query(scope, False)))
    return privacy.anonymise(records, k=min_group(),
                             home=current_app.config["DEFAULT_COUNTRY"])


def min_group() -> int:
    return int(current_app.config.get("PRIVACY_MIN_GROUP", privacy.MIN_GROUP))


def region_titles() -> dict[str, str]:
    return {privacy.CENTRAL_AMERICA: _("Central America"), privacy.CARIBBEAN: _("Caribbean"),
            privacy.REST_OF_AMERICAS: _("Rest of the Americas"), privacy.EUROPE: _("Europe"),
            privacy.OTHER: _("Other regions"), privacy.ABROAD: _("Abroad"),
            privacy.HOME: current_app.config["DEFAULT_COUNTRY"]}


def _released_rows(release: privacy.Release) -> Iterator[list]:
    """The released rows sorted by their fields, so that the order (the database's order
    of registration) says nothing more than the fields; the suppressed ones last."""
    suppressed = _("Suppressed")
    sexes = {key: str(title) for key, title in sex_titles().items()}
    ages = age_titles()
    regions = region_titles()
    no_organisation = _("No organisation")

    def shown(row: dict) -> list:
        if row["sex"] == privacy.SUPPRESSED:
            return [suppressed] * 6
        sector = title_of(row["sector"])
        organisation = row["organisation"]
        if release.is_generalised("organisation"):
            organisation = sector if organisation is not None else None
        country = (row["country"] if not release.is_generalised("country")
                   else regions[row["country"]])
        return [sexes[row["sex"]], ages.get(row["age"], row["age"]), sector,
                organisation or (no_organisation if sector is None else None), country,
                row["expert"]]

    released = sorted(((shown(row), row["events"]) for row in release.rows),
                      key=lambda pair: (pair[0][0] == suppressed,
                                        [str(value) for value in pair[0]], -pair[1]))
    for label, (fields, events) in zip(privacy.pseudonyms(len(released)), released,
                                       strict=True):
        yield [label, *fields, events]


def organisations_sheet(scope: Scope, k: int | None = None) -> SheetSpec:
    """The organisations engaged in the period (the indicators' definition) with why they
    count and how many of their people attended an event of the period; with ``k`` (the
    anonymised workbook), a number of people from 1 to ``k - 1`` is "fewer than k", since
    it could point at the one or two people an organisation sent."""
    columns = [
        Column(_("Organisation"), width=40, wrap=True), Column(_("Acronym"), width=10),
        Column(_("Sector"), width=22, wrap=True), Column(_("Country"), width=8),
        Column(_("District"), width=14, wrap=True), Column(_("Attended an event"), "boolean", 12),
        Column(_("Coalition member"), "boolean", 12),
        Column(_("Applied for a grant"), "boolean", 12),
        Column(_("Government counterpart"), "boolean", 12),
        Column(_("Participants"), "integer", 13),
    ]
    return SheetSpec(_("Organisations"), columns, _organisation_rows(scope, k))


def _organisation_rows(scope: Scope, k: int | None) -> Iterator[list]:
    period = scope.indicators_period
    engaged = engagements(period)
    flags = [func.max(case((engaged.c.reason == key, 1), else_=0)).label(key)
             for key in REASONS]
    grouped = (select(engaged.c.organisation_id, *flags)
               .group_by(engaged.c.organisation_id).subquery("grouped"))
    people = (select(Person.organisation_id,
                     func.count(func.distinct(Person.id)).label("people"))
              .join(Attendance, Attendance.person_id == Person.id)
              .join(Event, Attendance.event_id == Event.id)
              .where(Attendance.attended.is_(True), events_in(period))
              .group_by(Person.organisation_id).subquery("people"))
    query = (select(Organisation.name, Organisation.acronym, Organisation.sector,
                    Organisation.country, Organisation.district,
                    *(grouped.c[key] for key in REASONS), people.c.people)
             .join(grouped, grouped.c.organisation_id == Organisation.id)
             .outerjoin(people, people.c.organisation_id == Organisation.id)
             .order_by(Organisation.name, Organisation.id))
    for name, acronym, sector, country, district, *reasons, attended in stream(query):
        yield [name, acronym or None, title_of(sector), country, district or None,
               *(bool(flag) for flag in reasons),
               disclosure.cell(disclosure.count(attended or 0, k))]
