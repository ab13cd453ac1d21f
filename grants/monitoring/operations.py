"""Every change to progress reports. Operations flush and never commit.

The grantee writes a draft version (a ``ReportVersion`` whose ``submitted_at`` is None) and
submits it; staff accept it or return it with a comment. Returning starts the next version
as a copy of the returned one (its narrative, beneficiaries, evidence and expenditure lines
with their receipts), so the grantee revises rather than starts again, and every submitted
version is kept as it was.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import User, UserRole
from accounts.states import Role
from core.audit.operations import record
from core.errors import OperationError
from core.extensions import db
from core.locking import AlreadyDone, lock
from core.outbox.operations import queue_email
from core.timeutil import programme_today, utcnow
from core.uploads import detection
from core.uploads.operations import DEFAULT_KINDS, store_upload
from core.urls import external_url
from grants.awards.states import AwardState
from grants.monitoring import queries
from grants.monitoring.models import Expenditure, ProgressReport, ReportEvidence, ReportVersion
from grants.monitoring.policies import can_review_reports, report_is_editable
from grants.monitoring.states import REPORT_WORKFLOW, ReportKind, ReportState

#: Beneficiaries reached, by sex and age group: the version's columns.
BENEFICIARY_FIELDS = ("women_under_30", "women_30_and_over", "men_under_30",
                      "men_30_and_over", "other_under_30", "other_30_and_over")
NARRATIVE_FIELDS = ("activities", "results", "challenges")
MAX_BENEFICIARIES = 10_000_000
MAX_AMOUNT = Decimal("9999999999.99")
DESCRIPTION_MAX = 300
COMMENT_MAX = 4000
TITLE_MAX = 200
EVIDENCE_KINDS = DEFAULT_KINDS
RECEIPT_KINDS = (detection.PDF, detection.JPG, detection.PNG)


def _report_label(report: ProgressReport) -> str:
    return f"{report.award.reference} {report.kind.value} report (due {report.due_on})"


# Drafts ------------------------------------------------------------------------------------

def _require_editable(report: ProgressReport) -> None:
    """Lock the report first: two saves, uploads or submissions of it run one after the
    other, and the second sees what the first did."""
    lock(report)
    allowed, reason = report_is_editable(report)
    if not allowed:
        raise OperationError(reason)


def _copy_version(previous: ReportVersion, version: ReportVersion) -> None:
    for name in (*NARRATIVE_FIELDS, *BENEFICIARY_FIELDS):
        setattr(version, name, getattr(previous, name))
    version.evidence = [ReportEvidence(stored_file_id=item.stored_file_id,
                                       description=item.description)
                        for item in previous.evidence]
    version.expenditures = [
        Expenditure(position=line.position, category=line.category, spent_on=line.spent_on,
                    description=line.description, amount=line.amount,
                    receipt_file_id=line.receipt_file_id)
        for line in previous.expenditures]


def _start_draft(report: ProgressReport, actor) -> ReportVersion:
    """A new draft version, copied from the last version when there is one."""
    previous = report.current_version
    version = ReportVersion(number=(previous.number + 1) if previous else 1)
    if previous is not None:
        _copy_version(previous, version)
    report.versions.append(version)
    db.session.flush()
    record("report.start_version", report, actor=actor,
           summary=f"{_report_label(report)}: version {version.number} started",
           data={"version": version.number})
    return version


def draft_for(report: ProgressReport, actor) -> ReportVersion:
    """The draft version of an editable report, started when there is none."""
    _require_editable(report)
    return queries.draft_version(report) or _start_draft(report, actor)


def _check_beneficiaries(beneficiaries: dict) -> dict[str, int]:
    counts = {}
    for name in BENEFICIARY_FIELDS:
        value = beneficiaries.get(name)
        value = 0 if value is None else value
        if isinstance(value, bool) or not isinstance(value, int) \
                or not 0 <= value <= MAX_BENEFICIARIES:
            raise OperationError(_l("Enter a whole number of zero or more."), field=name)
        counts[name] = value
    return counts


def _check_amount(amount) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise OperationError(_l("Give the amount of every expense."), field="expenditures")
    if amount <= 0:
        raise OperationError(_l("Every expense needs an amount above zero."),
                             field="expenditures")
    if amount.as_tuple().exponent < -2:
        raise OperationError(_l("Amounts have at most two decimals."), field="expenditures")
    if amount > MAX_AMOUNT:
        raise OperationError(_l("This amount is too large."), field="expenditures")


def _check_expenditures(report: ProgressReport, lines: list[dict], today: date) -> None:
    categories = set(queries.budget_categories(report.award.application))
    for line in lines:
        if line.get("category") not in categories:
            raise OperationError(_l("Choose a category of the project's budget for every "
                                    "expense."), field="expenditures")
        spent_on = line.get("spent_on")
        if not isinstance(spent_on, date):
            raise OperationError(_l("Give the date of every expense."), field="expenditures")
        if spent_on > today:
            raise OperationError(_l("An expense cannot be dated in the future."),
                                 field="expenditures")
        description = (line.get("description") or "").strip()
        if not description or len(description) > DESCRIPTION_MAX:
            raise OperationError(_l("Describe every expense in at most 300 characters."),
                                 field="expenditures")
        _check_amount(line.get("amount"))


def save_draft(report: ProgressReport, actor, *, activities: str, results: str,
               challenges: str, beneficiaries: dict, expenditures: list[dict],
               remove_evidence_ids=()) -> ReportVersion:
    """Save the grantee's draft: the narrative, the beneficiaries and the expenditure
    statement. Each line is a dict with ``category``, ``spent_on``, ``description``,
    ``amount`` and ``id`` (the draft's line it updates, keeping its receipt; None for a new
    line). Lines of the draft left out are removed, as is the evidence in
    ``remove_evidence_ids``. Everything is checked before anything changes. A save that
    changes nothing (the same form sent twice) records nothing."""
    _require_editable(report)
    counts = _check_beneficiaries(beneficiaries)
    _check_expenditures(report, expenditures, programme_today())
    existing = queries.draft_version(report)
    lines_by_id = {line.id: line for line in existing.expenditures} if existing else {}
    evidence_by_id = {item.id: item for item in existing.evidence} if existing else {}
    ids = [line["id"] for line in expenditures if line.get("id") is not None]
    if len(ids) != len(set(ids)) or any(line_id not in lines_by_id for line_id in ids):
        raise OperationError(_l("The statement changed since the page was opened. Reload the "
                                "page and try again."), field="expenditures")
    removed = set(remove_evidence_ids or ())
    if removed - evidence_by_id.keys():
        raise OperationError(_l("The evidence changed since the page was opened. Reload the "
                                "page and try again."), field="remove_evidence")

    if existing is not None and not removed and _draft_values(existing) == (
            activities or "", results or "", challenges or "",
            {name: counts.get(name) for name in BENEFICIARY_FIELDS},
            [(line.get("id"), line["category"], line["spent_on"], line["description"].strip(),
              line["amount"]) for line in expenditures]):
        return existing
    version = existing or _start_draft(report, actor)
    version.activities = activities or ""
    version.results = results or ""
    version.challenges = challenges or ""
    for name, value in counts.items():
        setattr(version, name, value)
    kept = []
    for position, line in enumerate(expenditures):
        expenditure = lines_by_id.get(line.get("id")) or Expenditure()
        expenditure.position = position
        expenditure.category = line["category"]
        expenditure.spent_on = line["spent_on"]
        expenditure.description = line["description"].strip()
        expenditure.amount = line["amount"]
        kept.append(expenditure)
    version.expenditures = kept
    if removed:
        version.evidence = [item for item in version.evidence if item.id not in removed]
    db.session.flush()
    record("report.save", report, actor=actor,
           summary=f"{_report_label(report)}: draft version {version.number} saved",
           data={"version": version.number, "expenditure_lines": len(kept),
                 "removed_evidence": sorted(removed)})
    return version


def _draft_values(version: ReportVersion) -> tuple:
    """What ``save_draft`` writes, as stored, to tell a save that changes nothing."""
    return (version.activities or "", version.results or "", version.challenges or "",
            {name: getattr(version, name) for name in BENEFICIARY_FIELDS},
            [(line.id, line.category, line.spent_on, line.description, line.amount)
             for line in sorted(version.expenditures, key=lambda line: line.position)])


def add_evidence(report: ProgressReport, actor, *, file_storage,
                 description: str = "") -> ReportEvidence:
    _require_editable(report)
    if len(description or "") > DESCRIPTION_MAX:
        raise OperationError(_l("Use at most 300 characters."), field="description")
    stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=EVIDENCE_KINDS,
                          field="file")
    version = draft_for(report, actor)
    evidence = ReportEvidence(stored_file=stored, description=(description or "").strip())
    version.evidence.append(evidence)
    db.session.flush()
    record("report.evidence", report, actor=actor,
           summary=f"{_report_label(report)}: evidence {stored.original_name} attached",
           data={"version": version.number, "file_id": stored.id})
    return evidence


def attach_receipt(report: ProgressReport, actor, expenditure: Expenditure, *,
                   file_storage) -> Expenditure:
    """Store the receipt of a line of the draft's statement (replacing any earlier one)."""
    _require_editable(report)
    draft = queries.draft_version(report)
    if draft is None or expenditure.version_id != draft.id:
        raise OperationError(_l("Receipts can be added only to the lines of the report you "
                                "are writing."), field="file")
    stored = store_upload(file_storage, uploaded_by=actor, allowed_kinds=RECEIPT_KINDS,
                          field="file")
    previous = expenditure.receipt_file_id
    expenditure.receipt_file = stored
    db.session.flush()
    record("report.receipt", report, actor=actor,
           summary=f"{_report_label(report)}: receipt {stored.original_name} for "
                   f"“{expenditure.description}”",
           data={"version": draft.number, "expenditure_id": expenditure.id,
                 "file_id": stored.id, "replaced_file_id": previous})
    return expenditure


# Workflow ----------------------------------------------------------------------------------

def submit_report(report: ProgressReport, actor) -> ReportVersion:
    """Submit the draft version for review (again, after a return)."""
    lock(report)
    if report.state == ReportState.submitted:
        raise AlreadyDone(_l("This report has already been submitted; it is waiting for "
                                "the programme team's review."))
    _require_editable(report)
    draft = queries.draft_version(report)
    if draft is None:
        raise OperationError(_l("Write the report before submitting it."))
    for name, message in (("activities", _l("Describe the activities carried out.")),
                          ("results", _l("Describe the results against the indicators."))):
        if not (getattr(draft, name) or "").strip():
            raise OperationError(message, field=name)
    today = programme_today()
    if any(line.spent_on > today for line in draft.expenditures):
        raise OperationError(_l("An expense cannot be dated in the future."),
                             field="expenditures")
    # Submitting a due report and submitting a returned one again are two transitions.
    transition = REPORT_WORKFLOW.check(report, ReportState.submitted, actor)
    source, report.state = report.state, transition.target
    draft.submitted_at = utcnow()
    draft.submitted_by_id = actor.id
    db.session.flush()
    missing = sum(1 for line in draft.expenditures if line.receipt_file_id is None)
    record(transition.audit, report, actor=actor,
           summary=f"{_report_label(report)}: version {draft.number} submitted",
           data={"from": source.value, "to": report.state.value, "version": draft.number,
                 "expenditure_total": sum((line.amount for line in draft.expenditures),
                                          Decimal("0.00")),
                 "missing_receipts": missing})
    _notify_staff(report, "grants/monitoring/submitted", version=draft,
                  missing_receipts=missing)
    return draft


def _require_reviewer(actor, report: ProgressReport | None = None) -> None:
    allowed, reason = can_review_reports(actor, report)
    if not allowed:
        raise OperationError(reason)


def _review(report: ProgressReport, actor, name: str, comment: str) -> ReportVersion:
    """Accept or return (``name``) the submitted report."""
    _require_reviewer(actor, report)
    lock(report)
    if report.state == REPORT_WORKFLOW[name].target:
        raise AlreadyDone(_l("The report is already “%(state)s”.", state=report.state.title))
    transition = REPORT_WORKFLOW.check(report, name, actor)
    if len(comment) > COMMENT_MAX:
        raise OperationError(_l("Use at most %(limit)s characters.", limit=COMMENT_MAX),
                             field="comment")
    version = queries.latest_submitted_version(report)
    source, report.state = report.state, transition.target
    version.reviewed_by_id = actor.id
    version.reviewed_at = utcnow()
    version.staff_comment = comment
    db.session.flush()
    record(transition.audit, report, actor=actor,
           summary=f"{_report_label(report)}: version {version.number} "
                   f"{'accepted' if name == 'accept' else 'returned'}",
           data={"from": source.value, "to": report.state.value,
                 "version": version.number, "comment": comment})
    return version


def accept_report(report: ProgressReport, actor, *, comment: str = "") -> ReportVersion:
    version = _review(report, actor, "accept", (comment or "").strip())
    report.accepted_at = version.reviewed_at
    db.session.flush()
    _notify_grantee(report, "grants/monitoring/accepted", version=version)
    return version


def return_report(report: ProgressReport, actor, *, comment: str) -> ReportVersion:
    """Return the report with comments; the grantee's next version starts as a copy."""
    comment = (comment or "").strip()
    if not comment:
        _require_reviewer(actor, report)
        raise OperationError(_l("Say what the grantee should change: a returned report needs "
                                "a comment."), field="comment")
    version = _review(report, actor, "return", comment)
    _start_draft(report, actor)
    _notify_grantee(report, "grants/monitoring/returned", version=version)
    return version


def add_report(award, actor, *, title: str, due_on: date | None) -> ProgressReport:
    """Staff add a report to an award, beyond the mid-term and final ones."""
    _require_reviewer(actor)
    if award.state in (AwardState.closed, AwardState.terminated):
        raise OperationError(_l("This award has ended; it needs no more reports."))
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise OperationError(_l("Give the report a title of at most 200 characters."),
                             field="title")
    if due_on is None:
        raise OperationError(_l("Give the due date."), field="due_on")
    if due_on < programme_today():
        raise OperationError(_l("The due date cannot be in the past."), field="due_on")
    lock(award)  # the same report added twice at once: the second finds the first
    same = db.session.scalar(select(ProgressReport).where(
        ProgressReport.award_id == award.id, ProgressReport.kind == ReportKind.other,
        ProgressReport.title == title, ProgressReport.due_on == due_on))
    if same is not None:
        raise AlreadyDone(_l("This report is already on the award's list."), existing=same)
    report = ProgressReport(award=award, kind=ReportKind.other, title=title, due_on=due_on,
                            state=ReportState.due)
    db.session.add(report)
    db.session.flush()
    record("report.add", report, actor=actor,
           summary=f"{award.reference}: report “{title}” due {due_on} added",
           data={"award_id": award.id, "title": title, "due_on": due_on.isoformat()})
    return report


# Email -------------------------------------------------------------------------------------

def _grantee_users(report: ProgressReport) -> list:
    return [membership.user for membership in report.award.application.organisation.members
            if membership.user.is_enabled]


def _notify_grantee(report: ProgressReport, template: str, **context) -> int:
    url = external_url("monitoring.report", report_id=report.id)
    edit_url = external_url("monitoring.edit_report", report_id=report.id)
    users = _grantee_users(report)
    for user in users:
        queue_email(user.email, template, locale=user.locale, user=user, report=report,
                    award=report.award, application=report.award.application,
                    report_url=url, edit_url=edit_url, **context)
    return len(users)


def _staff_users() -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.staff, User.is_enabled.is_(True)).order_by(User.id)))


def _notify_staff(report: ProgressReport, template: str, **context) -> None:
    url = external_url("monitoring.review_report", report_id=report.id)
    for user in _staff_users():
        queue_email(user.email, template, locale=user.locale, user=user, report=report,
                    award=report.award, application=report.award.application,
                    review_url=url, **context)


# Reminders ---------------------------------------------------------------------------------

def reminder_is_due(due_on: date, last_reminded_on: date | None, today: date) -> bool:
    """Once when the due date is seven days away or less (the first run in that window),
    then every day once the report is overdue; never twice the same day."""
    if last_reminded_on is not None and last_reminded_on >= today:
        return False
    if due_on < today:
        return True
    window_opens = due_on - timedelta(days=queries.REMIND_DAYS_BEFORE)
    if today < window_opens:
        return False
    return last_reminded_on is None or last_reminded_on < window_opens


def send_report_reminders(today: date | None = None) -> int:
    """Remind the grantee's members of reports due within seven days (once) or overdue
    (daily) that they have not submitted; at most once a day per report, so running again
    the same day sends nothing. Returns the number of reports reminded."""
    today = today or programme_today()
    reminded = 0
    for report in queries.reports_for_reminder(today):
        if not reminder_is_due(report.due_on, report.last_reminded_on, today):
            continue
        report.last_reminded_on = today
        is_overdue = report.due_on < today
        url = external_url("monitoring.edit_report", report_id=report.id)
        recipients = _grantee_users(report)
        for user in recipients:
            queue_email(user.email, "grants/monitoring/reminder", locale=user.locale,
                        user=user, report=report, award=report.award,
                        application=report.award.application, is_overdue=is_overdue,
                        days=abs((report.due_on - today).days), report_url=url)
        db.session.flush()
        record("report.remind", report, actor=None,
               summary=f"{_report_label(report)}: reminder to {len(recipients)} member(s)",
               data={"day": today.isoformat(), "overdue": is_overdue,
                     "recipients": [user.email for user in recipients]})
        reminded += 1
    return reminded
