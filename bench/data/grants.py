"""Funds, calls (with their areas, statements, documents and rubric) and applications (with
their budget lines, areas, affirmations, endorsements and screening)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.data.context import ApplicationInfo, CallInfo, Context
from demo.grants import DOCUMENTS, RUBRIC, STATEMENTS
from grants.applications.models import DISTRICTS, EndorsementState
from grants.applications.states import ApplicationState as A
from grants.calls.models import DEFAULT_THEMATIC_AREAS
from grants.calls.states import CallState

AWARD_AMOUNT = Decimal("5000.00")
BUDGET = [("activities", "Workshops", Decimal("2500.00")),
          ("personnel", "Project coordinator", Decimal("1800.00")),
          ("materials", "Printing and publicity", Decimal("700.00"))]
FUNDS = [("Promoting an Open Government Ecosystem", "USD"),
         ("Transparency and Accountability Fund", "USD"),
         ("European Partnership for Open Government", "EUR")]
FIRST_OPENING = datetime(2018, 2, 1, 14, 0, tzinfo=UTC)
LAST_OPENING = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
CALL_DAYS_OPEN = 45
DECISION_DAYS = 40

#: Application states, dealt in this order within each call: per 20 applications, 5
#: awarded, 2 waitlisted, 6 declined and 2 in review (15 reviewed), and one of each other.
STATE_CYCLE = [A.awarded, A.declined, A.in_review, A.waitlisted, A.declined, A.awarded,
               A.eligible, A.declined, A.awarded, A.ineligible, A.waitlisted, A.declined,
               A.awarded, A.submitted, A.in_review, A.declined, A.awarded, A.withdrawn,
               A.declined, A.draft]
REVIEWED = {A.in_review, A.awarded, A.waitlisted, A.declined}
DECIDED = {A.awarded, A.waitlisted, A.declined}
SCREENED = REVIEWED | {A.eligible, A.ineligible}


def build(context: Context) -> None:
    _funds_and_calls(context)
    _applications(context)


def _call_sizes(context: Context) -> list[int]:
    """Applications per call: the regular calls, then the large call of the ranking page."""
    scale = context.scale
    rest = scale.applications - scale.ranking_call_applications
    sizes = [scale.applications_per_call] * (rest // scale.applications_per_call)
    if rest % scale.applications_per_call:
        sizes.append(rest % scale.applications_per_call)
    return sizes + [scale.ranking_call_applications]


def _funds_and_calls(context: Context) -> None:
    sizes = _call_sizes(context)
    step = (LAST_OPENING - FIRST_OPENING) / max(len(sizes) - 1, 1)
    budgets = [Decimal("0.00")] * len(FUNDS)
    calls, areas, statements, documents, criteria = [], [], [], [], []
    for index, size in enumerate(sizes):
        id_ = index + 1
        # The large call belongs to the first fund, like the reference programme's call.
        fund_index = 0 if index == len(sizes) - 1 else index % len(FUNDS)
        max_awards = sum(1 for j in range(size) if STATE_CYCLE[j % 20] == A.awarded)
        budgets[fund_index] += AWARD_AMOUNT * max_awards
        opens_at = (FIRST_OPENING + step * index).replace(microsecond=0)
        info = CallInfo(id=id_, fund_id=fund_index + 1, currency=FUNDS[fund_index][1],
                        opens_at=opens_at, closes_at=opens_at + timedelta(days=CALL_DAYS_OPEN),
                        area_ids=[], area_names=list(DEFAULT_THEMATIC_AREAS),
                        statement_ids=[], criteria=[], applications=size)
        calls.append(_call_row(info, index, max_awards))
        for position, name in enumerate(DEFAULT_THEMATIC_AREAS):
            info.area_ids.append(len(areas) + 1)
            areas.append({"id": len(areas) + 1, "call_id": id_, "name": name,
                          "position": position})
        for position, text in enumerate(STATEMENTS):
            info.statement_ids.append(len(statements) + 1)
            statements.append({"id": len(statements) + 1, "call_id": id_, "text": text,
                               "position": position})
        for position, name in enumerate(DOCUMENTS):
            documents.append({"id": len(documents) + 1, "call_id": id_, "name": name,
                              "position": position})
        for position, (name, guidance, weight, max_score, na) in enumerate(RUBRIC):
            info.criteria.append((len(criteria) + 1, max_score, na, weight))
            criteria.append({"id": len(criteria) + 1, "call_id": id_, "name": name,
                             "guidance": guidance, "weight": weight, "max_score": max_score,
                             "is_na_allowed": na, "position": position})
        context.calls.append(info)
    funds = [{"id": index + 1, "name": name, "currency": currency,
              "donor_organisation_id": context.donor_organisation_ids[index],
              "managing_organisation_id": context.managing_organisation_id,
              # Room for every award of the fund's calls, and a reserve.
              "total_budget": budgets[index] + Decimal("50000.00"),
              "created_at": FIRST_OPENING, "updated_at": FIRST_OPENING}
             for index, (name, currency) in enumerate(FUNDS)]
    context.funds = [(row["id"], row["currency"]) for row in funds]
    writer = context.writer
    writer.insert("funds", funds)
    writer.insert("calls", calls)
    writer.insert("thematic_areas", areas)
    writer.insert("eligibility_statements", statements)
    writer.insert("required_documents", documents)
    writer.insert("criteria", criteria)


def _call_row(info: CallInfo, index: int, max_awards: int) -> dict:
    return {
        "id": info.id, "fund_id": info.fund_id,
        "title": f"Open Government Mini-Grants, round {index + 1}",
        "summary": "Grants for partnerships between civil society and government that open "
                   "up information, fight corruption and bring citizens in.",
        "body_markdown": "## What we fund\n\nProjects run **jointly** by a civil-society "
                         "organisation and a government counterpart.",
        "award_amount": AWARD_AMOUNT, "max_awards": max_awards,
        "opens_at": info.opens_at, "closes_at": info.closes_at,
        "is_counterpart_required": True, "is_one_application_per_organisation": True,
        "reference_prefix": "OGB", "state": CallState.in_review,
        "published_at": info.opens_at, "created_at": info.opens_at - timedelta(days=14),
        "updated_at": info.closes_at,
    }


def _applications(context: Context) -> None:
    csos = context.organisations["civil_society"]
    governments = context.organisations["government"]
    rows = []
    for call_index, call in enumerate(context.calls):
        for j in range(call.applications):
            # Consecutive organisations from a per-call offset: one application per
            # organisation in each call (a call is never larger than the pool).
            organisation_id = csos[(call_index * 37 + j) % len(csos)]
            counterpart_id = governments[(call_index + j) % len(governments)]
            rows.append(_application(context, call, j, organisation_id, counterpart_id))
    context.writer.insert("applications", rows)
    writer = context.writer
    apps = context.applications
    writer.insert("application_thematic_areas", (
        {"application_id": a.id, "thematic_area_id": a.call.area_ids[a.id % 7]} for a in apps))
    writer.insert("application_affirmations", (
        {"application_id": a.id, "statement_id": statement_id}
        for a in apps if a.state != A.draft for statement_id in a.call.statement_ids))
    writer.insert("budget_lines", (
        {"id": (a.id - 1) * len(BUDGET) + position + 1, "application_id": a.id,
         "position": position, "category": category, "description": description,
         "amount": amount}
        for a in apps for position, (category, description, amount) in enumerate(BUDGET)))
    writer.insert("endorsements", _endorsements(apps))
    writer.insert("eligibility_checks", _screening(context, apps))


def _application(context: Context, call: CallInfo, j: int, organisation_id: int,
                 counterpart_id: int) -> dict:
    id_ = len(context.applications) + 1
    state = STATE_CYCLE[j % len(STATE_CYCLE)]
    district = DISTRICTS[j % len(DISTRICTS)]
    area = call.area_names[id_ % 7]
    created_at = call.opens_at + timedelta(days=j % 30, hours=j % 7)
    submitted_at = None if state == A.draft else created_at + timedelta(days=5, minutes=j)
    decided_at = (call.closes_at + timedelta(days=DECISION_DAYS)) if state in DECIDED else None
    reference = None
    if submitted_at is not None:
        series = f"OGB-{submitted_at.year}"
        context.reference_counters[series] += 1
        reference = f"{series}-{context.reference_counters[series]:04d}"
    context.applications.append(ApplicationInfo(
        id=id_, call=call, organisation_id=organisation_id, state=state,
        submitted_at=submitted_at, decided_at=decided_at))
    rng = context.rng
    return {
        "id": id_, "call_id": call.id, "organisation_id": organisation_id,
        "created_by_id": context.applicant_by_organisation[organisation_id],
        "reference": reference, "state": state,
        "title": f"{area} in {district} District, project {id_}",
        "summary": f"A partnership for {area.lower()} in {district} District that publishes "
                   "information, trains officials and citizens, and agrees on a lasting "
                   "practice with the counterpart.",
        "problem": "Citizens cannot easily find or use public information about the "
                   "services that affect them.",
        "objectives": "Publish the information, train officials and citizens.",
        "duration_months": 6 + j % 7, "districts": [district],
        "beneficiaries_total": rng.randrange(50, 500),
        "beneficiaries_women": rng.randrange(20, 50),
        "beneficiaries_youth": rng.randrange(10, 40),
        "beneficiaries_description": "Community members, public officials and students.",
        "requested_amount": AWARD_AMOUNT, "counterpart_organisation_id": counterpart_id,
        "counterpart_contact_name": "Counterpart contact",
        "counterpart_contact_position": "Director",
        "counterpart_contact_email": f"counterpart{id_}@gov.bench.example.org",
        "submitted_at": submitted_at, "decided_at": decided_at,
        "withdrawn_at": submitted_at + timedelta(days=2) if state == A.withdrawn else None,
        "created_at": created_at, "updated_at": decided_at or submitted_at or created_at,
    }


def _endorsements(apps: list[ApplicationInfo]):
    for a in apps:
        if a.submitted_at is None:
            continue
        state = (EndorsementState.pending if a.state in (A.submitted, A.withdrawn)
                 else EndorsementState.declined if a.state == A.ineligible
                 else EndorsementState.endorsed)
        answered = state != EndorsementState.pending
        yield {
            "id": a.id, "application_id": a.id, "state": state,
            "token_hash": hashlib.sha256(f"bench-endorsement-{a.id}".encode()).hexdigest(),
            "recipient_email": f"counterpart{a.id}@gov.bench.example.org",
            "sent_at": a.submitted_at, "expires_at": a.submitted_at + timedelta(days=21),
            "last_reminded_on": None, "reminder_count": 0,
            "responded_at": a.submitted_at + timedelta(days=3) if answered else None,
            "responder_name": "Counterpart contact" if answered else "",
            "responder_position": "Director" if answered else "", "comment": "",
            "recorded_by_id": None, "letter_file_id": None,
            "created_at": a.submitted_at, "updated_at": a.submitted_at,
        }


def _screening(context: Context, apps: list[ApplicationInfo]):
    for a in apps:
        if a.state not in SCREENED:
            continue
        checked_at = a.call.closes_at + timedelta(days=7)
        eligible = a.state != A.ineligible
        yield {
            "id": a.id, "application_id": a.id, "checked_by_id": context.staff_id,
            "checked_at": checked_at, "is_eligible": eligible,
            "reason": "" if eligible else "The counterpart declined the partnership.",
            "checklist": [], "created_at": checked_at, "updated_at": checked_at,
        }


def write_reference_counters(context: Context) -> None:
    """The counters the application and award references were drawn from, so that a
    reference given later by the application continues the series."""
    context.writer.insert("reference_counters", (
        {"series": series, "last_number": number}
        for series, number in sorted(context.reference_counters.items())))
