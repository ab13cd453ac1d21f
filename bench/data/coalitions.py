"""Events with their attendance (people deduplicated across events), coalitions and an
action plan."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.organisations.models import Sector
from bench.data.context import Context, at
from coalitions.coalitions.models import ActivityKind, CoalitionState, MembershipRole
from coalitions.events.models import AttendanceRole, EventType, Sex
from coalitions.plans.models import MilestoneState
from demo.coalitions import EXPERT_COUNTRIES, FEMALE_NAMES, MALE_NAMES, SURNAMES
from grants.applications.models import DISTRICTS

FIRST_EVENT = date(2018, 1, 10)
LAST_EVENT = date(2026, 6, 30)
EVENT_TITLES = ["Access to information for public officers", "Open data basics",
                "Freedom of information requests", "Public budgets for citizens",
                "Citizen participation in local government", "Designing e-government services",
                "Anti-corruption tools for municipalities", "Open contracting roundtable"]
#: Every person's sex, in a repeating pattern of 50: 26 women, 22 men, one "prefer not to
#: say" and one not recorded.
SEX_PATTERN = [Sex.female, Sex.male] * 22 + [Sex.female] * 4 + [Sex.undisclosed, None]
EXPERT_EVERY = 33


def build(context: Context) -> None:
    event_days = _events(context)
    _people(context)
    _attendances(context, event_days)
    _coalitions(context)
    _action_plan(context)


def _events(context: Context) -> list[date]:
    count = context.scale.events
    span = (LAST_EVENT - FIRST_EVENT).days
    types = list(EventType)
    csos = context.organisations["civil_society"]
    governments = context.organisations["government"]
    rows, days = [], []
    for index in range(count):
        starts_on = FIRST_EVENT + timedelta(days=span * index // max(count - 1, 1))
        kind = types[index % len(types)]
        district = DISTRICTS[index % len(DISTRICTS)]
        days.append(starts_on)
        rows.append({
            "id": index + 1, "type": kind,
            "title": f"{EVENT_TITLES[index % len(EVENT_TITLES)]} ({district}, {index + 1})",
            "starts_on": starts_on, "ends_on": starts_on + timedelta(days=index % 2),
            "district": district, "country": "BZ", "is_online": kind == EventType.webinar,
            "venue": "" if kind == EventType.webinar else f"{district} community centre",
            "description": "Part of the open government capacity-building programme.",
            # The programme organises one event in five; its grantees the others.
            "organiser_id": (context.managing_organisation_id if index % 5 == 0
                             else csos[index % len(csos)]),
            "agenda_file_id": None, "created_at": at(starts_on - timedelta(days=30)),
            "updated_at": at(starts_on)})
    context.writer.insert("events", rows)
    context.writer.insert("event_partners", (
        {"event_id": index + 1, "organisation_id": governments[index % len(governments)]}
        for index in range(count)))
    return days


def _people(context: Context) -> None:
    rng = context.rng
    local = [organisation_id for sector in (Sector.civil_society, Sector.government,
                                            Sector.private, Sector.academic)
             for organisation_id in context.organisations[sector.value]]

    def person(index: int) -> dict:
        sex = SEX_PATTERN[index % len(SEX_PATTERN)]
        names = FEMALE_NAMES if sex == Sex.female else MALE_NAMES
        expert = index % EXPERT_EVERY == 0
        created = at(FIRST_EVENT)
        return {
            "id": index + 1,
            "full_name": f"{names[index % len(names)]} "
                         f"{SURNAMES[(index // len(names)) % len(SURNAMES)]}",
            "email": f"person{index + 1}@people.bench.example.org" if index % 10 else None,
            "sex": sex,
            "birth_year": None if index % 40 == 7 else rng.randrange(1950, 2007),
            "organisation_id": None if expert else local[index % len(local)],
            "country": EXPERT_COUNTRIES[index % len(EXPERT_COUNTRIES)] if expert else "BZ",
            "is_international_expert": expert, "created_at": created, "updated_at": created,
        }

    context.writer.insert("people", (person(index) for index in range(context.scale.people)))


def _attendances(context: Context, event_days: list[date]) -> None:
    people = context.scale.people
    per_event = context.scale.attendances_per_event

    def rows():
        next_id = 1
        for event_index in range(len(event_days)):
            # A window of consecutive people from a spread-out start: nobody twice at one
            # event, and everybody at several events over the years.
            start = (event_index * 7919) % people
            for seat in range(per_event):
                person_index = (start + seat) % people
                role = (AttendanceRole.trainer if seat < 2
                        else AttendanceRole.organiser if seat == 2
                        else AttendanceRole.expert if person_index % EXPERT_EVERY == 0
                        else AttendanceRole.participant)
                yield {"id": next_id, "event_id": event_index + 1,
                       "person_id": person_index + 1, "role": role,
                       "attended": seat % 20 != 19}
                next_id += 1

    context.writer.insert("attendances", rows())


def _coalitions(context: Context) -> None:
    csos = context.organisations["civil_society"]
    governments = context.organisations["government"]
    private = context.organisations["private"]
    coalitions, memberships, activities, links = [], [], [], []
    states = list(CoalitionState)
    for index in range(context.scale.coalitions):
        id_ = index + 1
        formed_on = FIRST_EVENT + timedelta(days=60 * index % 2500)
        members = ([csos[(index * 5 + n) % len(csos)] for n in range(4)]
                   + [governments[(index * 3 + n) % len(governments)] for n in range(3)]
                   + [private[index % len(private)]])
        coalitions.append({
            "id": id_, "name": f"Open Government Coalition {id_}",
            "purpose": "Get public bodies to publish the information citizens ask for.",
            "thematic_areas": ["Open data", "Citizen participation"],
            "lead_organisation_id": members[0], "formed_on": formed_on,
            "state": states[index % len(states)], "created_at": at(formed_on),
            "updated_at": at(formed_on)})
        for position, organisation_id in enumerate(members):
            left = position == len(members) - 1 and index % 3 == 0
            memberships.append({
                "id": len(memberships) + 1, "coalition_id": id_,
                "organisation_id": organisation_id,
                "role": MembershipRole.lead if position == 0
                else MembershipRole.observer if position == len(members) - 1
                else MembershipRole.member,
                "joined_on": formed_on,
                "left_on": formed_on + timedelta(days=400) if left else None})
        for number, kind in enumerate((ActivityKind.meeting, ActivityKind.policy_submission)):
            day = formed_on + timedelta(days=30 + 90 * number)
            activities.append({
                "id": len(activities) + 1, "coalition_id": id_, "kind": kind,
                "happened_on": day, "description": "Work plan and proposals to ministries.",
                "outcome": "Agreed.", "evidence_file_id": None, "created_at": at(day),
                "updated_at": at(day)})
        if context.award_ids:
            links.append({"coalition_id": id_,
                          "award_id": context.award_ids[index * 7 % len(context.award_ids)]})
    writer = context.writer
    writer.insert("coalitions", coalitions)
    writer.insert("coalition_memberships", memberships)
    writer.insert("coalition_activities", activities)
    writer.insert("coalition_awards", links)


def _action_plan(context: Context) -> None:
    starts_on = date(2020, 9, 1)
    created = at(starts_on)
    context.writer.insert("action_plans", [{
        "id": 1, "title": "Open Government National Action Plan 2020–2022", "country": "BZ",
        "starts_on": starts_on, "ends_on": date(2022, 8, 31), "is_public": True,
        "created_at": created, "updated_at": created}])
    count = max(4, context.scale.coalitions // 5)
    governments = context.organisations["government"]
    states = list(MilestoneState)
    commitments, milestones, supporters, links = [], [], [], []
    for index in range(count):
        id_ = index + 1
        commitments.append({
            "id": id_, "plan_id": 1, "position": index, "title": f"Commitment {id_}",
            "problem": "Citizens cannot find or use the information they need.",
            "ambition": "Information published on time, in open formats, and used.",
            "thematic_area": "Open data", "lead_organisation_id": governments[index],
            "created_at": created, "updated_at": created})
        milestones.extend({"id": index * 3 + n + 1, "commitment_id": id_,
                           "title": f"Milestone {n + 1} of commitment {id_}",
                           "due_on": starts_on + timedelta(days=120 * (n + 1)),
                           "state": states[(index + n) % len(states)], "evidence": ""}
                          for n in range(3))
        supporters.append({"commitment_id": id_,
                           "organisation_id": context.managing_organisation_id})
        links.append({"commitment_id": id_,
                      "coalition_id": index % context.scale.coalitions + 1})
    writer = context.writer
    writer.insert("commitments", commitments)
    writer.insert("milestones", milestones)
    writer.insert("commitment_supporters", supporters)
    writer.insert("commitment_coalitions", links)
