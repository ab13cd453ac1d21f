"""The data the scenario needs, built through the operations layer as the programme team and
the applicants would build it: users invited by an administrator, organisations, an open
call with complete drafts, a closed call whose applications went through screening, review
assignment and award decisions, and signed awards with their tranches.

Runs inside an application context and commits once at the end. Returns a ``Plan``: who each
client signs in as and which rows it works on.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

from accounts import operations as accounts_ops
from accounts.models import Role, User, UserRole
from accounts.organisations import operations as organisation_ops
from core.extensions import db
from core.timeutil import utcnow
from grants.applications import operations as application_ops
from grants.applications.states import ApplicationState
from grants.awards import operations as award_ops
from grants.calls import operations as call_ops
from grants.calls.states import CallState
from grants.ranking import operations as ranking_ops
from grants.reviews import operations as review_ops
from grants.reviews.states import Outcome
from grants.screening import operations as screening_ops

#: A one-page PDF: enough for the upload checks, which look at the content.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
             b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
             b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

EMAIL_DOMAIN = "loadtest.example.org"
STATEMENTS = ["We are a civil-society organisation registered in Belize.",
              "The project is carried out with a government counterpart."]
DOCUMENTS = ["Registration certificate", "Detailed budget"]
RUBRIC = [
    {"name": "Relevance", "guidance": "", "weight": Decimal("2"), "max_score": 10},
    {"name": "Feasibility", "guidance": "", "weight": Decimal("1"), "max_score": 10},
    {"name": "Inclusion", "guidance": "", "weight": Decimal("1"), "max_score": 5,
     "is_na_allowed": True},
]
#: Awards of the closed call: small enough that the busiest ones run out during a run, so
#: concurrent requests meet the over-disbursement guard.
AWARD_AMOUNT = Decimal("2000.00")
REVIEWERS_PER_APPLICATION = 3


@dataclass
class Seat:
    """One client: the user it signs in as, what it does and the rows it works on."""

    email: str
    role: str  # applicant, reviewer, staff or finance
    name: str
    #: Finance users who also hold the staff role request disbursements too, so the
    #: maker-checker rule (nobody approves their own request) is exercised.
    also_requests: bool = False
    drafts: list[int] = field(default_factory=list)
    scratch_draft: int | None = None
    assignments: list[int] = field(default_factory=list)


@dataclass
class Plan:
    password: str
    open_call_id: int
    closed_call_id: int
    seats: list[Seat]
    #: award id → its tranche ids, for every active award.
    awards: dict[int, list[int]]
    #: The awards most requests go to (they run out during the run).
    hot_awards: list[int]

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("password")
        return data


def role_counts(clients: int) -> dict[str, int]:
    """How many clients of each kind: about half applicants, a fifth reviewers, the rest
    programme staff and finance (at least two finance users, so one can approve another's
    request)."""
    if clients < 5:
        raise ValueError("the scenario needs at least 5 clients")
    reviewers = max(1, round(clients * 0.2))
    staff = max(1, round(clients * 0.16))
    finance = max(2, round(clients * 0.16))
    return {"applicant": clients - reviewers - staff - finance, "reviewer": reviewers,
            "staff": staff, "finance": finance}


def _pdf(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF_BYTES), filename=name,
                       content_type="application/pdf")


class Seeder:
    def __init__(self, clients: int, duration: float, password: str):
        self.counts = role_counts(clients)
        # About one complete draft to submit per 15 s of load, plus one only ever saved.
        self.drafts_per_applicant = 2 + math.ceil(duration / 15)
        self.password = password
        self.now = utcnow().replace(microsecond=0)
        self.admin: User | None = None
        self.grantee: User | None = None
        self.counterparts = []
        self._org_counter = 0

    # Users -------------------------------------------------------------------------------

    def _bootstrap_admin(self, password_hash: str) -> User:
        # The first administrator cannot be invited by anyone: created directly, as the
        # demo loader does.
        admin = User(email=f"admin@{EMAIL_DOMAIN}", name="Load Test Admin", locale="en",
                     session_version=1, failed_login_count=0, is_enabled=True,
                     email_confirmed_at=self.now, password_hash=password_hash)
        admin.role_rows.append(UserRole(role=Role.admin))
        db.session.add(admin)
        db.session.flush()
        return admin

    def _invite(self, email: str, name: str, roles, password_hash: str) -> User:
        invitation = accounts_ops.invite_user(email=email, name=name, roles=roles,
                                              invited_by=self.admin)
        # As if the invitation had been accepted. One hash for every user: hashing each
        # password with the production scrypt cost would make seeding slow for nothing.
        user = invitation.user
        user.password_hash = password_hash
        user.email_confirmed_at = self.now
        accounts_ops.complete_invitation(invitation)
        return user

    def users(self) -> list[tuple[Seat, User]]:
        password_hash = generate_password_hash(
            self.password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.admin = self._bootstrap_admin(password_hash)
        seats = []
        for role, count in self.counts.items():
            for number in range(1, count + 1):
                roles = {Role(role)}
                seat = Seat(email=f"{role}{number}@{EMAIL_DOMAIN}", role=role,
                            name=f"{role.title()} {number}")
                if role == "finance" and number % 2 == 0:
                    roles.add(Role.staff)
                    seat.also_requests = True
                seats.append((seat, self._invite(seat.email, seat.name, roles,
                                                 password_hash)))
        self.grantee = self._invite(f"grantee@{EMAIL_DOMAIN}", "Grantee Owner",
                                    {Role.applicant}, password_hash)
        db.session.flush()
        return seats

    # Organisations -----------------------------------------------------------------------

    def _organisation(self, owner: User, sector: str, district: str = "Belize"):
        self._org_counter += 1
        prefix = "Ministry" if sector == "government" else "Civic Network"
        organisation = organisation_ops.create_organisation(
            owner, as_owner=sector != "government",
            name=f"{prefix} {self._org_counter:04d}", sector=sector, district=district)
        organisation_ops.set_verified(organisation, self.admin, True)
        # The owner's list of memberships was loaded before this one was added.
        db.session.expire(owner, ["memberships"])
        return organisation

    def government_bodies(self, count: int = 4) -> None:
        self.counterparts = [self._organisation(self.admin, "government") for _ in range(count)]

    # Calls -------------------------------------------------------------------------------

    def call(self, title: str, fund, *, opens_days_ago: int, award_amount: Decimal,
             max_awards: int, prefix: str):
        call = call_ops.create_call(
            self.admin, fund_id=fund.id, title=title,
            summary="Small grants for partnerships between civil society and government.",
            body_markdown="## What we fund\n\nJoint projects that open up public information.",
            award_amount=award_amount, max_awards=max_awards,
            opens_at=self.now - timedelta(days=opens_days_ago),
            closes_at=self.now + timedelta(days=30), reference_prefix=prefix,
            eligibility_statements=STATEMENTS, required_documents=DOCUMENTS)
        call_ops.update_rubric(call, self.admin, [dict(row, index=i)
                                                  for i, row in enumerate(RUBRIC)])
        call_ops.transition_call(call, CallState.published, self.admin)
        return call

    # Applications ------------------------------------------------------------------------

    def complete_draft(self, call, owner: User, number: int):
        """A draft with every section filled in and every document attached, ready to
        submit."""
        organisation = self._organisation(owner, "civil_society")
        application = application_ops.start_application(call, organisation, owner)
        counterpart = self.counterparts[number % len(self.counterparts)]
        application_ops.save_project(
            application, owner, title=f"Open contracting in district {number}",
            summary="Publish public contracts as open data and train journalists to use it.",
            problem="Contracts are hard to find.", objectives="Publish; train; follow up.",
            duration_months=12, thematic_areas=list(call.thematic_areas[:1]))
        today = self.now.date()
        application_ops.save_plan(
            application, owner,
            activities=[{"description": "Inception workshop", "starts_on": today,
                         "ends_on": today + timedelta(days=30), "milestone": "Plan agreed"}],
            results=[{"result": "Contracts published", "indicator": "Contracts online",
                      "target": "100"}])
        application_ops.save_beneficiaries(
            application, owner, total=200, women=110, youth=60,
            description="Journalists, officials and citizens.", districts=["Belize", "Cayo"])
        requested = call.award_amount
        first = (requested * Decimal("0.6")).quantize(Decimal("0.01"))
        application_ops.save_budget(
            application, owner, requested_amount=requested,
            lines=[{"category": "activities", "description": "Workshops", "amount": first},
                   {"category": "personnel", "description": "Coordinator",
                    "amount": requested - first}])
        application_ops.save_counterpart(
            application, owner, organisation=counterpart, proposed_name="",
            contact_name="Maria Chen", contact_position="Director",
            contact_email=f"counterpart{number}@gov.{EMAIL_DOMAIN}")
        application_ops.save_declarations(application, owner,
                                          statements=list(call.eligibility_statements))
        for document in call.required_documents:
            application_ops.attach_document(application, owner,
                                            file_storage=_pdf(f"{document.name}.pdf"),
                                            required_document=document)
        return application

    # The closed call: screening, review, decisions, awards -------------------------------

    def close(self, call) -> None:
        call_ops.update_call(call, self.admin, closes_at=self.now - timedelta(minutes=1))
        call_ops.transition_call(call, CallState.closed, self.admin)
        call_ops.transition_call(call, CallState.in_review, self.admin)

    def screen(self, applications) -> None:
        for application in applications:
            screening_ops.record_screening(application, self.admin, eligible=True,
                                           reason="Checked by the programme team.")

    def panel(self, call, reviewers: list[tuple[Seat, User]], for_review, for_award):
        panel = review_ops.create_panel(call, self.admin,
                                        due_at=self.now + timedelta(days=14),
                                        reviewers_per_application=REVIEWERS_PER_APPLICATION)
        for _seat, user in reviewers:
            review_ops.add_member(panel, user, self.admin)
        slot = 0
        for application in for_review:
            chosen = set()
            while len(chosen) < min(REVIEWERS_PER_APPLICATION, len(reviewers)):
                seat, user = reviewers[slot % len(reviewers)]
                slot += 1
                if user.id in chosen:
                    continue
                chosen.add(user.id)
                assignment = review_ops.assign(panel, application, user, self.admin)
                seat.assignments.append(assignment.id)
        for application in for_award:
            application_ops.transition(application, ApplicationState.in_review, self.admin)
        ranking_ops.decide(panel, list(for_award), Outcome.award, self.admin,
                           rationale="Best ranked by the panel.")
        return panel

    def awards(self, applications) -> dict[int, list[int]]:
        today = award_ops.programme_today()
        result = {}
        for application in applications:
            award = award_ops.create_award(application, self.admin,
                                           starts_on=today - timedelta(days=10),
                                           ends_on=today + timedelta(days=180))
            award_ops.sign_award(award, self.admin, file_storage=_pdf("Agreement.pdf"),
                                 signed_on=today)
            result[award.id] = [tranche.id for tranche in award.tranches]
        return result


def seed(clients: int, duration: float, password: str) -> Plan:
    seeder = Seeder(clients, duration, password)
    seats = seeder.users()
    seeder.government_bodies()
    fund = call_ops.create_fund(seeder.admin, name="Open Government Load Fund",
                                currency="USD", total_budget=Decimal("1000000.00"))
    open_call = seeder.call("Open Government Mini-Grants (open)", fund, opens_days_ago=7,
                            award_amount=Decimal("5000.00"), max_awards=500, prefix="LTO")
    closed_call = seeder.call("Open Government Mini-Grants (closed)", fund,
                              opens_days_ago=40, award_amount=AWARD_AMOUNT, max_awards=100,
                              prefix="LTC")

    reviewers = [(seat, user) for seat, user in seats if seat.role == "reviewer"]
    review_count = max(4, len(reviewers) * 4 // REVIEWERS_PER_APPLICATION)
    award_count = 12
    submitted = []
    for number in range(review_count + award_count):
        application = seeder.complete_draft(closed_call, seeder.grantee, 1000 + number)
        application_ops.submit(application, seeder.grantee)
        submitted.append(application)
    seeder.close(closed_call)
    seeder.screen(submitted)
    for_review, for_award = submitted[:review_count], submitted[review_count:]
    seeder.panel(closed_call, reviewers, for_review, for_award)
    awards = seeder.awards(for_award)

    number = 0
    for seat, user in seats:
        if seat.role != "applicant":
            continue
        drafts = []
        for _ in range(seeder.drafts_per_applicant):
            number += 1
            drafts.append(seeder.complete_draft(open_call, user, number).id)
        seat.scratch_draft, seat.drafts = drafts[0], drafts[1:]
    db.session.commit()
    award_ids = sorted(awards)
    return Plan(password=password, open_call_id=open_call.id, closed_call_id=closed_call.id,
                seats=[seat for seat, _user in seats], awards=awards,
                hot_awards=award_ids[:3])
