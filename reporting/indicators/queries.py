"""The programme's indicators for a period, computed from the records, never typed in.

Every number is one aggregate query whatever the number of events, people or grants, and
each has a matching list (the rows behind it) for the detail pages.

Definitions (also shown on the indicators page):

- **Period.** From the first day to the last day inclusive, in the programme's time zone.
- **Events.** Events whose first day falls in the period, by type.
- **Participants.** People with an attendance marked as attended at an event of the period,
  whatever their role (participant, trainer, expert, organiser). A person counts once
  however many events they attended.
- **Sex.** As recorded on the person; "prefer not to say" and "not recorded" are shown as
  their own categories, never dropped.
- **Youth.** With only a year of birth recorded, a person is under 30 when the year of the
  event's first day minus the year of birth is less than 30 (someone turning 30 that year is
  not counted as under 30). A person who attended several events is classified at the first
  event they attended in the period. No year of birth: "age not recorded".
- **International experts.** Participants flagged as international experts.
- **Organisations engaged.** The union, each organisation counted once, of: organisations
  of people who attended an event of the period; organisations in a coalition with a
  membership overlapping the period; applicant organisations of applications submitted in
  the period (drafts never count); and the government counterparts of those applications.
  Grouped by the organisation's sector.
- **Grants awarded.** Awards whose application was decided in the period (the award's
  creation time when the application has no decision time), whatever the award's state
  since; their total in each currency.
- **Fund filter.** Restricts the grant numbers (applications, counterparts and awards) to
  the fund's calls. Events, participants and coalitions belong to no fund and are not
  filtered.

The grant figures come from the grants package's own tables (``Application``, ``Award``,
``Call``, ``Fund``), read with SQLAlchemy Core: reporting sits above grants, so a renamed
column fails here at import, not at run time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, extract, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from coalitions.coalitions.models import CoalitionMembership
from coalitions.events.models import Attendance, Event, Person
from coalitions.events.states import EventType, Sex
from core import work
from core.extensions import db
from core.timeutil import from_programme_time, to_programme_time
from grants.applications.models import Application
from grants.awards.models import Award
from grants.calls.models import Call, Fund
from reporting.indicators.policies import can_view_detail, can_view_indicators

#: Youth: under this age in the year of the event's first day.
YOUTH_AGE = 30

#: Sex categories in display order; "not_recorded" stands for an empty value.
SEX_KEYS = ("female", "male", "other", "undisclosed", "not_recorded")
#: Age categories in display order.
AGE_KEYS = ("under_30", "30_and_over", "not_recorded")
#: Why an organisation counts as engaged, in display order.
REASONS = ("attended", "member", "applied", "counterpart")
#: The headline sectors first, then the others (shown too: nothing is silently dropped).
SECTOR_KEYS = (Sector.government.value, Sector.civil_society.value, Sector.private.value,
               Sector.academic.value, Sector.international.value, Sector.media.value,
               Sector.other.value)
#: Application states that never count as applied.
NOT_APPLIED_STATES = ("draft",)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    fund_id: int | None = None
    #: True when the reader chose no dates: the period is then the programme's whole span.
    whole_programme: bool = False

    @property
    def start_utc(self) -> datetime:
        """The first instant of the period (programme time zone), in UTC."""
        return from_programme_time(datetime.combine(self.start, time.min))

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period, in UTC (the range is half-open)."""
        return from_programme_time(datetime.combine(self.end + timedelta(days=1), time.min))


@dataclass
class Indicators:
    period: Period
    events_by_type: dict[str, int] = field(default_factory=dict)
    participants: int = 0
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    international_experts: int = 0
    organisations: int = 0
    organisations_by_sector: dict[str, int] = field(default_factory=dict)
    organisations_by_reason: dict[str, int] = field(default_factory=dict)
    grants_awarded: int = 0
    #: currency -> (number of awards, total amount)
    grants_by_currency: dict[str, tuple[int, Decimal]] = field(default_factory=dict)

    @property
    def events(self) -> int:
        return sum(self.events_by_type.values())

    @property
    def female(self) -> int:
        return self.by_sex.get("female", 0)

    @property
    def under_30(self) -> int:
        return self.by_age.get("under_30", 0)


def _tables():
    return Application.__table__, Award.__table__, Call.__table__


# The sets behind the numbers ---------------------------------------------------------------

def events_in(period: Period):
    return and_(Event.starts_on >= period.start, Event.starts_on <= period.end)


def first_attendance(period: Period):
    """One row per participant: (person_id, first_day), the first day of the first event of
    the period they attended."""
    return (select(Attendance.person_id, func.min(Event.starts_on).label("first_day"))
            .join(Event, Attendance.event_id == Event.id)
            .where(Attendance.attended.is_(True), events_in(period))
            .group_by(Attendance.person_id)
            .subquery("first_attendance"))


def age_band(first):
    """The age group at the first event of the period: from the year of birth, or, for a
    person whose year of birth was erased, the group their attendance at that event kept
    (``coalitions.events.personal_data``), so erasure changes no count."""
    age = extract("year", first.c.first_day) - Person.birth_year
    kept = (select(Attendance.age_group).join(Event, Attendance.event_id == Event.id)
            .where(Attendance.person_id == Person.id, Event.starts_on == first.c.first_day,
                   Attendance.age_group.is_not(None))
            .limit(1).scalar_subquery())
    return case((Person.erased_at.is_not(None), func.coalesce(kept, literal("not_recorded"))),
                (Person.birth_year.is_(None), literal("not_recorded")),
                (age < YOUTH_AGE, literal("under_30")), else_=literal("30_and_over"))


def submitted_applications(period: Period):
    applications, _awards, calls = _tables()
    conditions = [applications.c.submitted_at.is_not(None),
                  applications.c.submitted_at >= period.start_utc,
                  applications.c.submitted_at < period.end_utc,
                  applications.c.state.not_in(NOT_APPLIED_STATES)]
    if period.fund_id is not None:
        conditions.append(applications.c.call_id.in_(
            select(calls.c.id).where(calls.c.fund_id == period.fund_id)))
    return conditions


def engagements(period: Period):
    """(organisation_id, reason) for every reason an organisation counts as engaged; an
    organisation appears once per reason at most after grouping."""
    applications, _awards, _calls = _tables()
    # From the participants (one row per person), not from every attendance: the same
    # organisations, from a fraction of the rows.
    first = first_attendance(period)
    attended = (select(Person.organisation_id.label("organisation_id"),
                       literal("attended").label("reason"))
                .join(first, first.c.person_id == Person.id)
                .where(Person.organisation_id.is_not(None)))
    member = (select(CoalitionMembership.organisation_id.label("organisation_id"),
                     literal("member").label("reason"))
              .where(CoalitionMembership.joined_on <= period.end,
                     or_(CoalitionMembership.left_on.is_(None),
                         CoalitionMembership.left_on >= period.start)))
    submitted = submitted_applications(period)
    applied = (select(applications.c.organisation_id.label("organisation_id"),
                      literal("applied").label("reason")).where(*submitted))
    counterpart = (select(applications.c.counterpart_organisation_id.label("organisation_id"),
                          literal("counterpart").label("reason"))
                   .where(*submitted, applications.c.counterpart_organisation_id.is_not(None)))
    return union_all(attended, member, applied, counterpart).subquery("engagements")


def awards_in(period: Period):
    applications, awards, calls = _tables()
    decided = func.coalesce(applications.c.decided_at, awards.c.created_at)
    query = (select(awards.c.id, awards.c.amount, awards.c.currency, awards.c.reference,
                    awards.c.state, decided.label("decided_at"),
                    applications.c.organisation_id, applications.c.title,
                    applications.c.counterpart_organisation_id)
             .join(applications, awards.c.application_id == applications.c.id)
             .where(decided >= period.start_utc, decided < period.end_utc))
    if period.fund_id is not None:
        query = query.join(calls, applications.c.call_id == calls.c.id).where(
            calls.c.fund_id == period.fund_id)
    return query


def programme_span(today: date) -> tuple[date, date]:
    """The first and last day anything the indicators count happened on (events,
    submissions, award decisions, coalition memberships), the last no earlier than today:
    the period the indicators and the programme dashboard both open on. One statement."""
    applications, awards, _calls = _tables()
    decided = func.coalesce(applications.c.decided_at, awards.c.created_at)
    row = db.session.execute(select(
        select(func.min(Event.starts_on)).scalar_subquery(),
        select(func.max(Event.starts_on)).scalar_subquery(),
        select(func.min(applications.c.submitted_at)).scalar_subquery(),
        select(func.min(decided)).join_from(awards, applications,
                                            awards.c.application_id == applications.c.id)
        .scalar_subquery(),
        select(func.min(CoalitionMembership.joined_on)).scalar_subquery())).one()
    first_event, last_event, first_submission, first_decision, first_member = row
    days = [to_programme_time(moment).date() if isinstance(moment, datetime) else moment
            for moment in (first_event, first_submission, first_decision, first_member)]
    days = [day for day in days if day is not None]
    start = min(days) if days else date(today.year, 1, 1)
    end = max(today, last_event) if last_event else today
    return min(start, end), end


# The numbers -------------------------------------------------------------------------------

def compute(period: Period) -> Indicators:
    """Every indicator for the period: four aggregate queries, whatever the data."""
    result = Indicators(period=period)

    rows = db.session.execute(select(Event.type, func.count()).where(events_in(period))
                              .group_by(Event.type))
    counts = {EventType(kind).value: n for kind, n in rows}
    result.events_by_type = {kind.value: counts.get(kind.value, 0) for kind in EventType
                             if counts.get(kind.value)}

    first = first_attendance(period)
    # The age band is computed in a subquery and grouped by name: PostgreSQL does not
    # match a GROUP BY expression whose constants are bound separately.
    people = (select(Person.sex.label("sex"), age_band(first).label("band"),
                     Person.is_international_expert.label("expert"))
              .join(first, first.c.person_id == Person.id).subquery("participants"))
    by_sex, by_age = defaultdict(int), defaultdict(int)
    rows = db.session.execute(
        select(people.c.sex, people.c.band, people.c.expert, func.count())
        .group_by(people.c.sex, people.c.band, people.c.expert))
    for sex, band_value, expert, n in rows:
        by_sex[sex_value(sex)] += n
        by_age[band_value] += n
        result.participants += n
        if expert:
            result.international_experts += n
    result.by_sex = {key: by_sex.get(key, 0) for key in SEX_KEYS}
    result.by_age = {key: by_age.get(key, 0) for key in AGE_KEYS}

    # One pass over the engagements gives each organisation's sector and reasons; counting
    # those few rows here beats grouping the engagements twice in SQL.
    grouped = _reasons_by_organisation(period)
    rows = db.session.execute(
        select(Organisation.sector, *(grouped.c[key] for key in REASONS))
        .join(grouped, grouped.c.organisation_id == Organisation.id))
    by_sector, by_reason = defaultdict(int), defaultdict(int)
    for sector, *flags in rows:
        by_sector[Sector(sector).value] += 1
        for key, flag in zip(REASONS, flags, strict=True):
            by_reason[key] += bool(flag)
    result.organisations_by_sector = {key: by_sector.get(key, 0) for key in SECTOR_KEYS}
    result.organisations = sum(by_sector.values())
    result.organisations_by_reason = {key: by_reason.get(key, 0) for key in REASONS}

    awarded = awards_in(period).subquery("awarded")
    rows = db.session.execute(
        select(awarded.c.currency, func.count(), func.sum(awarded.c.amount))
        .group_by(awarded.c.currency).order_by(awarded.c.currency))
    result.grants_by_currency = {
        currency: (n, Decimal(total or 0).quantize(Decimal("0.01"))) for currency, n, total in rows}
    result.grants_awarded = sum(n for n, _total in result.grants_by_currency.values())
    return result


def sex_value(value) -> str:
    return "not_recorded" if value is None else Sex(value).value


# The lists behind the numbers --------------------------------------------------------------

def events(period: Period, *, type: str | None = None) -> list:
    """The events of the period with the number of people who attended each."""
    attended = (select(Attendance.event_id, func.count().label("attended"))
                .where(Attendance.attended.is_(True)).group_by(Attendance.event_id)
                .subquery())
    query = (select(Event, func.coalesce(attended.c.attended, 0))
             .outerjoin(attended, attended.c.event_id == Event.id)
             .where(events_in(period)).order_by(Event.starts_on, Event.id))
    if type is not None:
        query = query.where(Event.type == EventType(type))
    return db.session.execute(query).all()


def event_ids(period: Period, *, type: str | None = None) -> list[int]:
    return [event.id for event, _n in events(period, type=type)]


def _participants_query(period: Period, *, sex=None, age=None, expert=None):
    first = first_attendance(period)
    query = (select(Person, first.c.first_day, age_band(first).label("age_band"))
             .join(first, first.c.person_id == Person.id))
    if sex is not None:
        query = query.where(Person.sex.is_(None) if sex == "not_recorded"
                            else Person.sex == Sex(sex))
    if age is not None:
        query = query.where(age_band(first) == age)
    if expert is not None:
        query = query.where(Person.is_international_expert.is_(bool(expert)))
    return query


def participants(period: Period, *, sex: str | None = None, age: str | None = None,
                 expert: bool | None = None) -> list:
    """(person, first day attended in the period, age band) for each participant, by name.
    Personal data: staff only."""
    query = (_participants_query(period, sex=sex, age=age, expert=expert)
             .options(joinedload(Person.organisation)).order_by(Person.full_name, Person.id))
    return db.session.execute(query).all()


def participant_ids(period: Period, **filters) -> list[int]:
    return [person.id for person, _day, _band in participants(period, **filters)]


def _reasons_by_organisation(period: Period):
    """One row per engaged organisation: its id and a 0/1 flag per reason."""
    engaged = engagements(period)
    flags = [func.max(case((engaged.c.reason == key, 1), else_=0)).label(key)
             for key in REASONS]
    return (select(engaged.c.organisation_id, *flags)
            .group_by(engaged.c.organisation_id).subquery("grouped"))


def organisations(period: Period, *, sector: str | None = None,
                  reason: str | None = None) -> list:
    """(organisation, reasons) for each engaged organisation, by name; reasons in
    ``REASONS`` order."""
    grouped = _reasons_by_organisation(period)
    query = (select(Organisation, *(grouped.c[key] for key in REASONS))
             .join(grouped, grouped.c.organisation_id == Organisation.id)
             .order_by(Organisation.name, Organisation.id))
    if sector is not None:
        query = query.where(Organisation.sector == Sector(sector))
    if reason is not None:
        query = query.where(grouped.c[reason] == 1)
    return [(row[0], [key for key, flag in zip(REASONS, row[1:], strict=True) if flag])
            for row in db.session.execute(query)]


def organisation_ids(period: Period, **filters) -> list[int]:
    return [organisation.id for organisation, _reasons in organisations(period, **filters)]


def grants(period: Period, *, currency: str | None = None) -> list:
    """The awards of the period with the grantee's and the counterpart's names."""
    awarded = awards_in(period).subquery("awarded")
    grantee = Organisation.__table__.alias("grantee")
    counterpart = Organisation.__table__.alias("counterpart")
    query = (select(awarded, grantee.c.name.label("grantee_name"),
                    counterpart.c.name.label("counterpart_name"))
             .join(grantee, grantee.c.id == awarded.c.organisation_id)
             .outerjoin(counterpart, counterpart.c.id == awarded.c.counterpart_organisation_id)
             .order_by(awarded.c.reference, awarded.c.id))
    if currency is not None:
        query = query.where(awarded.c.currency == currency)
    return db.session.execute(query).all()


def award_ids(period: Period, **filters) -> list[int]:
    return [row.id for row in grants(period, **filters)]


def funds() -> list:
    """(id, name) of every fund, for the filter."""
    table = Fund.__table__
    return db.session.execute(select(table.c.id, table.c.name).order_by(table.c.name)).all()


def fund_exists(fund_id: int) -> bool:
    table = Fund.__table__
    return db.session.scalar(select(table.c.id).where(table.c.id == fund_id)) is not None


# My work -----------------------------------------------------------------------------------

@work.provide("indicators.headline", _l("This year's results"), can_view_indicators, order=80,
              see_all="indicators.overview")
def headline_work(user, today: date) -> list[work.WorkItem]:
    """The year's headline indicators, each linked to the list of what it counts (the
    indicators page's default period)."""
    period = Period(start=date(today.year, 1, 1), end=date(today.year, 12, 31))
    numbers = compute(period)
    args = {"from": period.start.isoformat(), "to": period.end.isoformat()}

    def url(metric: str) -> str:
        # The list behind a number, where the reader may see it; the overview otherwise.
        if can_view_detail(user, metric)[0]:
            return url_for("indicators.detail", metric=metric, **args)
        return url_for("indicators.overview", **args)

    return [
        work.WorkItem(label=_("Events"), count=numbers.events, url=url("events")),
        work.WorkItem(label=_("Participants"), count=numbers.participants,
                      url=url("participants"),
                      detail=_("%(women)d women, %(youth)d under 30", women=numbers.female,
                               youth=numbers.under_30)),
        work.WorkItem(label=_("Organisations engaged"), count=numbers.organisations,
                      url=url("organisations")),
        work.WorkItem(label=_("Grants awarded"), count=numbers.grants_awarded, url=url("grants")),
    ]
