"""The reference programme's events, participants, coalitions and action plan (DESIGN.md §5).

Built so that the indicators page for 1 January 2018 to 31 December 2019, without a fund
filter, shows exactly the reference numbers: 21 events; 114 organisations engaged (30
government, 30 civil society, 45 private sector, 9 academic); 212 unique participants, of
whom 63 under 30 and 109 women; 23 international experts; 8 grants totalling US$40,000 (the
awards of ``demo.awards``, decided on 14 December 2018).

How the organisations add up. The grants demo already engages 19 civil-society applicants
(the 2018 call's twentieth application is a draft, which does not count) and 8 government
counterparts. Here every one of the 114 organisations sends at least one person to an
event of 2018–2019, so the total is the union by construction. The donor embassy
(international) and the newspaper (media) only join in 2020 or registered without
attending, so they are not engaged in 2018–2019. International experts come from abroad
and are recorded without a local organisation.

How the people add up. Sex and age group are dealt from fixed counts (109 women, 97 men, 2
"prefer not to say", 4 not recorded; 63 under 30, 143 aged 30 and over, 6 without a year of
birth); the year of birth is then chosen from the year of the person's first event, so
that the age group holds by construction. Some people attend two or three events.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from accounts.models import User
from accounts.organisations.models import Organisation
from accounts.organisations.states import Sector
from coalitions.coalitions.models import Coalition, CoalitionActivity, CoalitionMembership
from coalitions.coalitions.states import ActivityKind, CoalitionState, MembershipRole
from coalitions.events.models import Attendance, Event, Person
from coalitions.events.states import AttendanceRole, EventType, Sex
from core.extensions import db
from core.timeutil import utcnow
from demo.action_plan import action_plan
from demo.grants import CSOS, GOVERNMENT

E = EventType
#: (title, type, first day, days, district) of the 21 events of 2018–2019, in date order.
EVENTS = [
    ("Access to information for public officers", E.training, date(2018, 2, 20), 2, "Belize"),
    ("Open data basics for civil society", E.workshop, date(2018, 3, 14), 1, "Cayo"),
    ("Freedom of information requests: a practical course", E.training, date(2018, 4, 18), 2,
     "Belize"),
    ("Roundtable on transparency in public procurement", E.roundtable, date(2018, 5, 23), 1,
     "Belize"),
    ("Public budgets for journalists and citizens", E.training, date(2018, 6, 13), 1,
     "Orange Walk"),
    ("Citizen participation in local government", E.workshop, date(2018, 7, 18), 1, "Toledo"),
    ("Designing e-government services", E.training, date(2018, 8, 22), 2, "Cayo"),
    ("Writing a good grant proposal", E.workshop, date(2018, 9, 12), 1, "Belize"),
    ("National Open Government Forum 2018", E.forum, date(2018, 10, 10), 2, "Belize"),
    ("Anti-corruption tools for municipalities", E.training, date(2018, 11, 21), 1,
     "Stann Creek"),
    ("Grantee induction: reporting and finance", E.training, date(2019, 1, 23), 1, "Belize"),
    ("Open data standards for ministries", E.workshop, date(2019, 2, 20), 1, "Cayo"),
    ("Open Data Hackathon Belize", E.hackathon, date(2019, 3, 20), 2, "Belize"),
    ("Online information requests for citizens", E.training, date(2019, 4, 17), 1, "Corozal"),
    ("Roundtable on open contracting", E.roundtable, date(2019, 5, 15), 1, "Belize"),
    ("Gender and inclusion in public services", E.training, date(2019, 6, 19), 1, "Toledo"),
    ("Education data for school communities", E.workshop, date(2019, 7, 17), 1,
     "Orange Walk"),
    ("Digital security for civil society", E.training, date(2019, 8, 21), 1, "Belize"),
    ("Roundtable towards an open government action plan", E.roundtable, date(2019, 9, 18), 1,
     "Cayo"),
    ("Monitoring public works with citizens", E.training, date(2019, 10, 23), 1,
     "Stann Creek"),
    ("National Open Government Forum 2019", E.forum, date(2019, 11, 20), 2, "Belize"),
]
#: Events after the reference period (the action plan's co-creation).
LATER_EVENTS = [
    ("Action plan co-creation workshop", E.workshop, date(2020, 2, 12), 2, "Belize"),
    ("Action plan consultation online", E.webinar, date(2020, 6, 10), 1, "Belize"),
]

GOVERNMENT_MORE = [
    "Ministry of Foreign Affairs", "Ministry of Home Affairs", "Ministry of Economic Development",
    "Ministry of Human Development and Social Transformation",
    "Ministry of Agriculture, Food Security and Enterprise", "Ministry of Tourism",
    "Ministry of Infrastructure Development and Housing",
    "Ministry of Sustainable Development and Climate Change",
    "Ministry of Youth, Sports and Culture",
    "Ministry of Rural Transformation and Local Government", "Attorney General's Ministry",
    "Office of the Auditor General", "Integrity Commission", "Elections and Boundaries Department",
    "Central Information Technology Office", "Social Security Board", "Belmopan City Council",
    "San Ignacio and Santa Elena Town Council", "Orange Walk Town Council",
    "Dangriga Town Council", "Public Utilities Commission", "Trade and Investment Service",
]
CIVIL_SOCIETY_MORE = [
    "Regional Open Government Foundation", "Learning Together Belize",
    "Belize Network of Non-Governmental Organisations", "Women's Issues Network of Belize",
    "Youth Empowerment for Change", "Punta Gorda Civic Association",
    "Belize Anti-Corruption Forum", "Ladyville Community Development Group",
    "Sarteneja Alliance for Development", "Belize Human Rights Association",
    "Independence Village Council Association",
]
_PLACES = ["Caribbean", "Cayo", "Toledo", "Corozal", "Orange Walk", "Stann Creek", "Belmopan",
           "Placencia", "San Pedro", "Dangriga", "Punta Gorda"]
_TRADES = ["Data Solutions", "Consulting Ltd", "Print and Design", "Legal Services"]
PRIVATE = ["Belize Chamber of Commerce and Industry"] + [
    f"{place} {trade}" for trade in _TRADES for place in _PLACES]
ACADEMIC = [
    "University of Belize", "Galen University", "Sacred Heart Junior College",
    "St. John's Junior College", "Corozal Junior College", "Muffles Junior College",
    "Independence Junior College", "Centre for Employment Training",
    "Stann Creek Ecumenical Junior College",
]

FEMALE_NAMES = ["Maria", "Ana", "Carmen", "Rosa", "Elena", "Patricia", "Sandra", "Yolanda",
                "Marisol", "Denise", "Keisha", "Sharon", "Gloria", "Ingrid", "Lucia", "Nadia"]
MALE_NAMES = ["José", "Carlos", "Luis", "Miguel", "Kevin", "Dwight", "Andre", "Rudolph",
              "Pedro", "Marlon", "Victor", "Gilbert", "Ernesto", "Darnell", "Oscar", "Rafael"]
SURNAMES = ["Castillo", "Young", "Gonzalez", "Martinez", "Flowers", "Arnold", "Chan", "Cal",
            "Bol", "Ramirez", "Sabido", "Williams", "Usher", "Coc", "Pop", "Tillett", "Lopez",
            "Garbutt", "Reyes", "Cho", "Palacio", "Nunez", "Vernon", "Shoman"]
EXPERT_COUNTRIES = ["US", "CR", "MX", "GB", "CO", "GT", "JM", "CA", "CL", "UY", "ES"]

PARTICIPANTS = 212
EXPERTS = 23
SEXES = [Sex.female] * 109 + [Sex.male] * 97 + [Sex.undisclosed] * 2 + [None] * 4
AGE_GROUPS = ["under_30"] * 63 + ["30_and_over"] * 143 + [None] * 6


def load(users: dict[str, User]) -> None:
    if db.session.scalar(select(Event.id).where(Event.title == EVENTS[0][0]).limit(1)):
        return
    organisations = _organisations()
    events = [_event(*row, organiser=organisations["Regional Open Government Foundation"])
              for row in EVENTS]
    later = [_event(*row, organiser=organisations["Regional Open Government Foundation"])
             for row in LATER_EVENTS]
    engaged = [organisations[name] for name in
               GOVERNMENT + GOVERNMENT_MORE + [name for name, _d in CSOS[:19]]
               + CIVIL_SOCIETY_MORE + PRIVATE + ACADEMIC]
    people = _people(events, engaged)
    _outside_the_period(events, later, people, organisations)
    _coalitions(organisations)
    _action_plan(organisations)
    db.session.flush()


def _organisations() -> dict[str, Organisation]:
    wanted = ([(name, Sector.government) for name in GOVERNMENT + GOVERNMENT_MORE]
              + [(name, Sector.civil_society) for name, _d in CSOS]
              + [(name, Sector.civil_society) for name in CIVIL_SOCIETY_MORE]
              + [(name, Sector.private) for name in PRIVATE]
              + [(name, Sector.academic) for name in ACADEMIC]
              + [("Amandala", Sector.media),
                 ("Embassy of the Donor Country", Sector.international)])
    existing = {org.name: org for org in db.session.scalars(
        select(Organisation).where(Organisation.name.in_([name for name, _s in wanted])))}
    for name, sector in wanted:
        if name not in existing:
            existing[name] = Organisation(name=name, sector=sector, country="BZ",
                                          district="Belize", is_verified=True,
                                          verified_at=utcnow())
            db.session.add(existing[name])
    db.session.flush()
    return existing


def _event(title, kind, starts_on, days, district, *, organiser) -> Event:
    event = Event(title=title, type=kind, starts_on=starts_on,
                  ends_on=starts_on + timedelta(days=days - 1), district=district,
                  country="BZ", is_online=kind == EventType.webinar,
                  venue="" if kind == EventType.webinar else f"{district} community centre",
                  description="Part of the open government capacity-building programme.",
                  organiser=organiser)
    db.session.add(event)
    return event


def _name(index: int, sex: Sex | None) -> str:
    first = (FEMALE_NAMES if sex == Sex.female
             else MALE_NAMES if sex == Sex.male
             else (FEMALE_NAMES + MALE_NAMES)[::3])
    return f"{first[index % len(first)]} {SURNAMES[(index * 7) % len(SURNAMES)]}"


def _people(events: list[Event], engaged: list[Organisation]) -> list[Person]:
    """The 212 participants: the first 23 are international experts; the others belong to
    the engaged organisations, every one of which sends at least one person."""
    sexes, groups = list(SEXES), list(AGE_GROUPS)
    # Seeded shuffles make the demo reproducible; nothing here is a secret.
    random.Random(2018).shuffle(sexes)  # nosec B311
    random.Random(2019).shuffle(groups)  # nosec B311
    people = []
    for index in range(PARTICIPANTS):
        first_event = index % len(events)
        # Later events only, so that the first one attended stays the first.
        extra = [first_event + step for step, every in ((6, 3), (11, 7))
                 if index % every == 0 and first_event + step < len(events)]
        year = events[first_event].starts_on.year
        group = groups[index]
        birth_year = (None if group is None
                      else year - (20 + index % 10) if group == "under_30"
                      else year - (30 + index % 35))
        expert = index < EXPERTS
        person = Person(
            full_name=_name(index, sexes[index]),
            email=f"participant{index + 1:03d}@demo.example.org",
            sex=sexes[index], birth_year=birth_year, is_international_expert=expert,
            country=EXPERT_COUNTRIES[index % len(EXPERT_COUNTRIES)] if expert else "BZ",
            organisation=None if expert else engaged[(index - EXPERTS) % len(engaged)])
        db.session.add(person)
        role = (AttendanceRole.expert if expert
                else AttendanceRole.organiser if person.organisation.name.startswith("Regional")
                else AttendanceRole.participant)
        for number in [first_event, *extra]:
            db.session.add(Attendance(event=events[number], person=person, role=role,
                                      attended=True))
        people.append(person)
    db.session.flush()
    return people


def _outside_the_period(events, later, people, organisations) -> None:
    """Records that must not count for 2018–2019: registrations without attendance, and
    the 2020 events (with the newspaper and the embassy, who join in 2020)."""
    journalist = Person(full_name="Marisol Flowers", email="newsroom@demo.example.org",
                        sex=Sex.female, birth_year=1990, organisation=organisations["Amandala"])
    attache = Person(full_name="Thomas Baker", email="attache@demo.example.org", sex=Sex.male,
                     birth_year=1975, country="US",
                     organisation=organisations["Embassy of the Donor Country"])
    db.session.add_all([journalist, attache])
    db.session.add(Attendance(event=events[8], person=journalist, attended=False))
    db.session.add(Attendance(event=events[20], person=attache, attended=False))
    db.session.add(Attendance(event=events[20], person=people[30], attended=False))
    for event in later:
        for person in [journalist, attache, *people[:15]]:
            db.session.add(Attendance(event=event, person=person, attended=True))


def _coalitions(organisations) -> None:
    def coalition(name, purpose, areas, formed_on, state, members, activities):
        lead = organisations[members[0][0]]
        item = Coalition(name=name, purpose=purpose, thematic_areas=areas,
                         lead_organisation=lead, formed_on=formed_on, state=state)
        for org_name, role, joined_on, left_on in members:
            item.memberships.append(CoalitionMembership(
                organisation=organisations[org_name], role=role, joined_on=joined_on,
                left_on=left_on))
        for kind, day, description, outcome in activities:
            item.activities.append(CoalitionActivity(kind=kind, happened_on=day,
                                                     description=description,
                                                     outcome=outcome))
        db.session.add(item)

    lead, member, observer = MembershipRole.lead, MembershipRole.member, MembershipRole.observer
    formed = date(2018, 11, 21)
    coalition(
        "Belize Open Data Coalition",
        "Get ministries to publish the data citizens ask for, in open formats.",
        ["Open data", "E-government"], formed, CoalitionState.active,
        [("Stann Creek Open Data Collective", lead, formed, None),
         ("Statistical Institute of Belize", member, formed, None),
         ("Central Information Technology Office", member, formed, None),
         ("University of Belize", member, formed, None),
         ("Caribbean Data Solutions", member, formed, None),
         ("Digital Belize Foundation", member, formed, None),
         ("Belize Budget Watch", member, date(2019, 2, 1), date(2019, 9, 30))],
        [(ActivityKind.meeting, date(2019, 1, 16), "Founding meeting and work plan.",
          "Work plan agreed."),
         (ActivityKind.policy_submission, date(2019, 6, 3),
          "Proposal for a national open data policy sent to the Cabinet.",
          "Policy drafting committee set up.")])
    formed = date(2019, 5, 15)
    coalition(
        "Access to Information Alliance",
        "Make the Freedom of Information Act work for ordinary citizens.",
        ["Access to public information", "Digital/online requests"], formed,
        CoalitionState.active,
        [("Belize Access to Information Coalition", lead, formed, None),
         ("Freedom of Information Unit", member, formed, None),
         ("Office of the Ombudsman", member, formed, None),
         ("Belize Journalists Network", member, formed, None),
         ("Integrity Commission", member, formed, None),
         ("Galen University", observer, formed, None)],
        [(ActivityKind.campaign, date(2019, 9, 28), "Right to Know Day campaign.",
          "Online request form announced.")])
    formed = date(2020, 1, 15)
    coalition(
        "Open Government Action Plan Working Group",
        "Co-create Belize's first open government national action plan.",
        ["Citizen participation", "Open data", "Fight against corruption"], formed,
        CoalitionState.active,
        [("Regional Open Government Foundation", lead, formed, None),
         ("Ministry of Public Service, Governance Reform and E-Governance", member, formed,
          None),
         ("Belize Chamber of Commerce and Industry", member, formed, None),
         ("Amandala", member, formed, None),
         ("Embassy of the Donor Country", observer, formed, None)],
        [(ActivityKind.meeting, date(2020, 2, 13), "Prioritisation of the commitments.",
          "Five commitments chosen.")])


def _action_plan(organisations) -> None:
    action_plan(organisations)
