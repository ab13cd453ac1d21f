"""What an application still needs before it can be submitted.

One function, used by the submit page (to list what is missing, with links to the sections)
and by the workflow guard (so the server refuses an incomplete submission).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from accounts.organisations.states import Sector
from core.i18n import format_programme_datetime
from core.money import format_money
from core.timeutil import utcnow
from grants.applications.endorsement_terms import contact_conflict
from grants.applications.models import MAX_SUMMARY_WORDS

#: The sections of the form, in order: (key, title).
SECTIONS = [
    ("project", _l("Project")),
    ("plan", _l("Activities and results")),
    ("beneficiaries", _l("Beneficiaries and places")),
    ("budget", _l("Budget")),
    ("counterpart", _l("Government counterpart")),
    ("documents", _l("Documents")),
    ("declarations", _l("Declarations")),
]


@dataclass(frozen=True)
class Problem:
    section: str
    message: object  # a lazy string


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text or ""))


def _project(application) -> list[Problem]:
    problems = []
    for field, message in (("title", _l("Give the project a title.")),
                           ("summary", _l("Write a summary.")),
                           ("problem", _l("Describe the problem the project addresses.")),
                           ("objectives", _l("State the objectives."))):
        if not (getattr(application, field) or "").strip():
            problems.append(Problem("project", message))
    if word_count(application.summary) > MAX_SUMMARY_WORDS:
        problems.append(Problem("project", _l("Shorten the summary to at most 300 words.")))
    if not application.thematic_areas:
        problems.append(Problem("project", _l("Choose at least one thematic area.")))
    if not application.duration_months:
        problems.append(Problem("project", _l("Give the duration in months.")))
    return problems


def _plan(application) -> list[Problem]:
    problems = []
    if not application.activities:
        problems.append(Problem("plan", _l("Add at least one activity with its timeline.")))
    if not application.results:
        problems.append(Problem("plan", _l("Add at least one expected result with its "
                                           "indicator.")))
    return problems


def _beneficiaries(application) -> list[Problem]:
    problems = []
    if not application.beneficiaries_total:
        problems.append(Problem("beneficiaries", _l("Give the number of beneficiaries.")))
    if not application.districts:
        problems.append(Problem("beneficiaries", _l("Choose at least one district.")))
    return problems


def _budget(application) -> list[Problem]:
    amount = application.requested_amount
    if amount is None:
        return [Problem("budget", _l("Give the requested amount."))]
    problems = []
    if amount > application.call.award_amount:
        problems.append(Problem("budget", _l("The requested amount is above the award amount.")))
    if not application.budget_lines:
        problems.append(Problem("budget", _l("Add the budget lines.")))
    elif application.budget_total != amount:
        problems.append(Problem("budget", budget_gap(application)))
    return problems


def budget_gap(application):
    """What the budget lines lack or exceed against the requested amount, or None when they
    add up to it (or nothing was requested yet)."""
    amount, total = application.requested_amount, application.budget_total
    if amount is None or total == amount:
        return None
    currency = application.currency
    values = {"total": format_money(total, currency), "amount": format_money(amount, currency),
              "gap": format_money(abs(amount - total), currency)}
    if total < amount:
        return _l("The budget lines add up to %(total)s: %(gap)s short of the requested "
                  "%(amount)s.", **values)
    return _l("The budget lines add up to %(total)s: %(gap)s over the requested %(amount)s.",
              **values)


def _counterpart(application) -> list[Problem]:
    if not application.call.is_counterpart_required:
        return []
    counterpart = application.counterpart
    if counterpart is None:
        return [Problem("counterpart", _l("Name the government counterpart."))]
    problems = []
    if counterpart.sector != Sector.government:
        problems.append(Problem("counterpart", _l("The counterpart must be a government "
                                                  "organisation.")))
    if not (application.counterpart_contact_name and application.counterpart_contact_email):
        problems.append(Problem("counterpart", _l("Give the counterpart contact's name and "
                                                  "email.")))
    conflict = contact_conflict(application, application.counterpart_contact_email)
    if conflict is not None:
        problems.append(Problem("counterpart", conflict))
    return problems


def _documents(application) -> list[Problem]:
    provided = {a.required_document_id for a in application.attachments}
    return [Problem("documents", _l("Attach: %(document)s.", document=document.name))
            for document in application.call.required_documents if document.id not in provided]


def _declarations(application) -> list[Problem]:
    affirmed = {statement.id for statement in application.affirmed_statements}
    if any(s.id not in affirmed for s in application.call.eligibility_statements):
        return [Problem("declarations", _l("Affirm every eligibility statement."))]
    return []


CHECKS = [_project, _plan, _beneficiaries, _budget, _counterpart, _documents, _declarations]


def missing_items(application) -> list[Problem]:
    """Everything the applicant still has to complete, section by section."""
    return [problem for check in CHECKS for problem in check(application)]


def submission_problems(application, now: datetime | None = None) -> list[Problem]:
    """``missing_items`` plus the deadline, checked on the server clock."""
    call = application.call
    if not call.is_open(now or utcnow()):
        deadline = _l("The call closed on %(time)s; applications can no longer be submitted. "
                      "Your draft is kept.", time=format_programme_datetime(call.closes_at)) \
            if call.is_past_deadline(now) else _l("The call is not open for applications.")
        return [Problem("submit", deadline)]
    return missing_items(application)
