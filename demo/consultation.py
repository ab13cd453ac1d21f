"""The public consultation on Belize's first action plan (June–July 2020): a dozen proposals
from citizens, their comments and supports, one comment hidden by the moderator, the forum's
response to every proposal (some merged into the plan's commitments) and the published
"What we heard". Loaded once: a second load finds the consultation and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from accounts.models import User, UserRole
from accounts.organisations.models import Organisation
from accounts.states import Role
from coalitions.consultations import moderation
from coalitions.consultations.models import (
    Comment,
    Consultation,
    ParticipationProfile,
    Proposal,
    Support,
    subject_key,
)
from coalitions.consultations.operations import email_key
from coalitions.events.states import Sex
from coalitions.plans.models import ActionPlan, Commitment
from core.audit.operations import record
from core.extensions import db

PLAN_TITLE = "Belize's First Open Government National Action Plan 2020–2022"
TITLE = "Co-creating Belize's first action plan"
OPENS = datetime(2020, 6, 1, 14, 0, tzinfo=UTC)
CLOSES = datetime(2020, 7, 31, 23, 0, tzinfo=UTC)

# (name, email, sex, organisation or None)
CITIZENS = [
    ("Maria Chub", "maria.chub@citizens.example.org", Sex.female, "Toledo Youth Voices"),
    ("Kevin Flowers", "kevin.flowers@citizens.example.org", Sex.male, None),
    ("Ana Pop", "ana.pop@citizens.example.org", Sex.female, "Citizens for Transparency Belize"),
    ("Dwight Usher", "dwight.usher@citizens.example.org", Sex.male, "Amandala"),
    ("Leticia Cano", "leticia.cano@citizens.example.org", None, "University of Belize"),
    ("Rupert Young", "rupert.young@citizens.example.org", Sex.undisclosed, None),
    ("Sandra Bol", "sandra.bol@citizens.example.org", Sex.female,
     "Belize Chamber of Commerce and Industry"),
]

# (author index, title, problem, solution, institution, area, milestones, response,
#  commitment index for a merge, response text)
PROPOSALS = [
    (0, "Answer information requests online", "Requests on paper get lost.",
     "An online portal where requests are filed and tracked.", "Freedom of Information Unit",
     "Access to public information", "Portal by 2021", "merged", 0, ""),
    (1, "Publish the budget in open formats", "The budget is a scanned PDF.",
     "Quarterly open data of the budget and its execution.", "Ministry of Finance",
     "Open data", "First release in January", "merged", 1, ""),
    (2, "A citizens' budget", "Few people can read the budget.",
     "A short plain-language budget every year.", "Ministry of Finance", "Open data", "",
     "merged", 1, ""),
    (3, "Who owns the companies paid by the State", "Contracts go to unknown owners.",
     "A public register of beneficial owners of contractors.", "Integrity Commission",
     "Fight against corruption", "Register designed by 2021", "merged", 2, ""),
    (4, "School results for parents", "Parents cannot compare schools.",
     "Publish each school's results and resources.", "Ministry of Education", "Education",
     "", "merged", 3, ""),
    (5, "Open contracting data", "Tenders are announced in the newspaper only.",
     "Publish every tender and contract in the Open Contracting Data Standard.",
     "Ministry of Finance", "Public procurement", "Pilot with two ministries", "accepted",
     None, "The forum will draft this commitment for the second action plan."),
    (6, "Asset declarations of officials online", "Declarations are not public.",
     "Publish the declarations of senior officials.", "Integrity Commission",
     "Fight against corruption", "", "accepted", None,
     "Agreed with the Integrity Commission; to be drafted in 2021."),
    (0, "Youth councils in every district", "Young people are not heard.",
     "District youth councils consulted on local budgets.", "Toledo Youth Voices",
     "Citizen participation", "", "declined", None,
     "Not an open-government commitment of the central government; passed on to the "
     "district councils."),
    (1, "Free internet in every village", "Villages have no connection.",
     "Public Wi-Fi in every village.", "Ministry of Public Service, Governance Reform and "
     "E-Governance", "E-government", "", "declined", None,
     "Beyond the plan's budget and two-year period; noted for the digital strategy."),
    (2, "Open the Ombudsman's case statistics", "Nobody knows how complaints end.",
     "Quarterly statistics of complaints and their outcomes.", "Office of the Ombudsman",
     "Access to public information", "", "accepted", None,
     "The Office of the Ombudsman agreed to draft it with the forum."),
    (3, "Publish ministers' meeting diaries", "Lobbying is invisible.",
     "Monthly publication of ministers' meetings with outside interests.",
     "Cabinet Office", "Fight against corruption", "", "declined", None,
     "The Cabinet Office did not agree within this cycle; the forum will raise it again."),
    (4, "Data on waiting times in hospitals", "Patients cannot plan.",
     "Monthly waiting times by hospital.", "Ministry of Health", "Health", "", "declined",
     None, "The Ministry of Health's records are not yet digital; revisit in the next plan."),
]

COMMENTS = [  # (author index, proposal index, text)
    (2, 0, "Please include a deadline for answers in the portal."),
    (3, 1, "Spreadsheets, not PDFs, please."),
    (4, 3, "This is the most important one."),
    (6, 5, "Businesses would welcome this."),
    (5, 8, "Without connection, none of the rest works."),
    (1, 11, "Even a weekly figure would help."),
]
HIDDEN_COMMENT = (5, 3, "Everyone in that ministry is a crook, starting with the minister.")
HIDDEN_REASON = "A personal attack on a named official; criticism of policies is welcome."


def load(users: dict[str, User]) -> None:
    plan = db.session.scalar(select(ActionPlan).where(ActionPlan.title == PLAN_TITLE))
    if plan is None or db.session.scalar(select(Consultation.id).where(
            Consultation.plan_id == plan.id, Consultation.title == TITLE)):
        return
    staff = users.get("staff")
    consultation = Consultation(
        plan_id=plan.id, title=TITLE, opens_at=OPENS, closes_at=CLOSES,
        created_by_id=getattr(staff, "id", None),
        description="Between June and July 2020 the Open Government Forum asked everyone in "
                    "Belize what the first action plan should commit to. Propose, comment "
                    "and support: the forum answers every proposal.")
    consultation.set_translation("es", {
        "title": "Co-creación del primer plan de acción de Belice",
        "description": "Entre junio y julio de 2020 el Foro de Gobierno Abierto preguntó a "
                       "todas las personas de Belice a qué debía comprometerse el primer plan "
                       "de acción. Proponga, comente y apoye: el foro responde cada "
                       "propuesta."})
    db.session.add(consultation)
    db.session.flush()
    citizens = _citizens()
    commitments = list(db.session.scalars(select(Commitment).where(
        Commitment.plan_id == plan.id).order_by(Commitment.position)))
    proposals = _proposals(consultation, citizens)
    _comments_and_supports(consultation, citizens, proposals, commitments, staff)
    for proposal, row in zip(proposals, PROPOSALS, strict=True):
        kind, commitment_index, text = row[7], row[8], row[9]
        moderation.respond(proposal, staff, kind=kind, text=text, commitment_id=(
            commitments[commitment_index].id if commitment_index is not None else None))
    moderation.publish_summary(consultation, staff)


def _citizens() -> list[User]:
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    citizens = []
    for name, email, sex, organisation in CITIZENS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, locale="en", session_version=1,
                        failed_login_count=0, is_enabled=True,
                        email_confirmed_at=OPENS - timedelta(days=3))
            user.role_rows.append(UserRole(role=Role.applicant))
            db.session.add(user)
            db.session.flush()
            record("demo.create_user", user, summary=f"Demo citizen {email}")
        org = organisations.get(organisation) if organisation else None
        if db.session.scalar(select(ParticipationProfile.id).where(
                ParticipationProfile.user_id == user.id)) is None:
            db.session.add(ParticipationProfile(user_id=user.id, sex=sex,
                                                organisation_id=getattr(org, "id", None)))
        citizens.append(user)
    db.session.flush()
    return citizens


def _proposals(consultation, citizens) -> list[Proposal]:
    proposals = []
    for day, row in enumerate(PROPOSALS):
        author, title, problem, solution, institution, area, milestones = row[:7]
        proposals.append(Proposal(
            consultation_id=consultation.id, author_id=citizens[author].id, title=title,
            problem=problem, solution=solution, institution_name=institution,
            thematic_area=area, milestones=milestones,
            created_at=OPENS + timedelta(days=2 + day * 3)))
    db.session.add_all(proposals)
    db.session.flush()
    return proposals


def _comments_and_supports(consultation, citizens, proposals, commitments, staff) -> None:
    for index, (author, target, text) in enumerate(COMMENTS):
        db.session.add(Comment(consultation_id=consultation.id, author_id=citizens[author].id,
                               proposal_id=proposals[target].id, body=text,
                               created_at=OPENS + timedelta(days=10 + index)))
    db.session.add(Comment(consultation_id=consultation.id, author_id=citizens[2].id,
                           commitment_id=commitments[0].id,
                           body="Make sure the portal works on a phone.",
                           created_at=OPENS + timedelta(days=12)))
    author, target, text = HIDDEN_COMMENT
    hidden = Comment(consultation_id=consultation.id, author_id=citizens[author].id,
                     proposal_id=proposals[target].id, body=text,
                     created_at=OPENS + timedelta(days=20))
    db.session.add(hidden)
    db.session.flush()
    moderation.hide_comment(hidden, staff, HIDDEN_REASON)
    # Supports: the first proposals are the most supported.
    for index, proposal in enumerate(proposals):
        for citizen in citizens[:max(1, len(citizens) - index // 2)]:
            _support(consultation, citizen, "proposal", proposal.id, proposal_id=proposal.id)
    for citizen in citizens[:4]:
        _support(consultation, citizen, "commitment", commitments[0].id,
                 commitment_id=commitments[0].id)
    db.session.flush()


def _support(consultation, citizen, kind: str, item_id: int, **link) -> None:
    db.session.add(Support(consultation_id=consultation.id, subject=subject_key(kind, item_id),
                           user_id=citizen.id, email_key=email_key(citizen.email),
                           created_at=OPENS + timedelta(days=25), **link))
