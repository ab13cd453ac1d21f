"""The checks run against the database once the load is over, in plain SQL: every
acknowledged write is there, no award is over-disbursed, the maker-checker rule held, and
every queued email was delivered exactly once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import psycopg

from loadtest.report import Check
from loadtest.scenario import MarkedWrites, WriteLog
from loadtest.smtp import Received, normalised_subject

COMMITTED_STATES = ("requested", "approved", "paid")
EXAMPLES = 5


@dataclass
class Baseline:
    """Counts taken after seeding, before the load."""

    draft_saves: dict[int, int] = field(default_factory=dict)
    deadlocks: int = 0


def _draft_saves(connection: psycopg.Connection) -> dict[int, int]:
    rows = connection.execute(
        "SELECT object_id::int, count(*) FROM audit_entries "
        "WHERE action = 'application.save_section' AND object_type = 'applications' "
        "AND data->>'section' = 'project' GROUP BY object_id").fetchall()
    return dict(rows)


def _review_saves(connection: psycopg.Connection) -> dict[int, int]:
    rows = connection.execute(
        "SELECT r.assignment_id, count(*) FROM audit_entries a "
        "JOIN reviews r ON a.object_type = 'reviews' AND a.object_id = r.id::text "
        "WHERE a.action IN ('review.save', 'review.submit', 'review.revise') "
        "GROUP BY r.assignment_id").fetchall()
    return dict(rows)


def deadlocks(connection: psycopg.Connection) -> int:
    return connection.execute(
        "SELECT coalesce(deadlocks, 0) FROM pg_stat_database "
        "WHERE datname = current_database()").fetchone()[0]


def baseline(connection: psycopg.Connection) -> Baseline:
    return Baseline(draft_saves=_draft_saves(connection), deadlocks=deadlocks(connection))


def _examples(items) -> str:
    items = list(items)
    shown = ", ".join(str(item) for item in items[:EXAMPLES])
    return shown + (f" … ({len(items)} in all)" if len(items) > EXAMPLES else "")


def _marked(writes: dict[int, MarkedWrites], stored: dict[int, str],
            saves: dict[int, int], before: dict[int, int], what: str) -> Check:
    """The text holds the last acknowledged marker or a later attempted one; the audit log
    has between ``acked`` and ``attempted`` new entries (one per committed write)."""
    lost, counted = [], []
    acked = sum(w.acked for w in writes.values())
    for row_id, log in writes.items():
        text = stored.get(row_id) or ""
        if log.last_acked >= 0 and not any(m in text for m in log.attempted[log.last_acked:]):
            lost.append(row_id)
        added = saves.get(row_id, 0) - before.get(row_id, 0)
        if not log.acked <= added <= len(log.attempted):
            counted.append(f"{row_id}: {added} saved for {log.acked} acknowledged of "
                           f"{len(log.attempted)} sent")
    problems = []
    if lost:
        problems.append(f"latest acknowledged text missing on {_examples(lost)}")
    if counted:
        problems.append(f"audit entries do not match: {_examples(counted)}")
    detail = "; ".join(problems) or (f"{acked} acknowledged {what} on {len(writes)} rows, "
                                     f"all present")
    return Check(f"acknowledged {what} present", not problems, detail)


def check_drafts(connection, logs: list[WriteLog], before: Baseline) -> Check:
    writes = {app_id: w for log in logs for app_id, w in log.drafts.items()}
    stored = dict(connection.execute("SELECT id, summary FROM applications WHERE id = ANY(%s)",
                                     [list(writes)]).fetchall())
    return _marked(writes, stored, _draft_saves(connection), before.draft_saves,
                   "draft saves")


def check_reviews(connection, logs: list[WriteLog]) -> Check:
    writes = {assignment: w for log in logs for assignment, w in log.reviews.items()}
    rows = connection.execute(
        "SELECT ra.id, r.state, r.overall_comment FROM review_assignments ra "
        "LEFT JOIN reviews r ON r.assignment_id = ra.id WHERE ra.id = ANY(%s)",
        [list(writes)]).fetchall()
    stored = {row_id: comment for row_id, state, comment in rows if state == "submitted"}
    return _marked(writes, stored, _review_saves(connection), {}, "review submissions")


def check_submissions(connection, logs: list[WriteLog]) -> Check:
    acked = {app_id: (log.email, reference) for log in logs
             for app_id, reference in log.submissions}
    rows = connection.execute(
        "SELECT a.id, a.state, a.reference, a.submitted_at IS NOT NULL, e.id IS NOT NULL "
        "FROM applications a LEFT JOIN endorsements e ON e.application_id = a.id "
        "WHERE a.id = ANY(%s)", [list(acked)]).fetchall()
    mails = Counter(connection.execute(
        "SELECT lower(recipient), subject FROM outbox_messages "
        "WHERE kind = 'grants.applications.submitted'").fetchall())
    found = {row[0]: row for row in rows}
    problems = []
    for app_id, (email, reference) in acked.items():
        row = found.get(app_id)
        if row is None or row[1] != "submitted" or not row[3]:
            problems.append(f"{app_id} not submitted")
        elif reference is not None and row[2] != reference:
            problems.append(f"{app_id} has reference {row[2]}, the applicant was shown "
                            f"{reference}")
        elif not row[4]:
            problems.append(f"{app_id} has no endorsement request")
        elif mails[(email, f"Application {row[2]} received")] < 1:
            problems.append(f"{app_id}: no confirmation email queued")
    uncertain = sum(len(log.uncertain_submissions) for log in logs)
    detail = (f"problems: {_examples(problems)}" if problems else
              f"{len(acked)} acknowledged submissions present with their reference, "
              f"endorsement request and confirmation email")
    if uncertain:
        detail += f" ({uncertain} unanswered, not counted)"
    return Check("acknowledged submissions present", not problems, detail)


def check_requests(connection, logs: list[WriteLog]) -> Check:
    acked = {key: (log.email, *request) for log in logs
             for key, request in log.requests.items()}
    rows = connection.execute(
        "SELECT d.idempotency_key, d.award_id, d.tranche_id, d.amount::text, d.state, "
        "lower(u.email) FROM disbursements d LEFT JOIN users u ON u.id = d.requested_by_id "
        "WHERE d.idempotency_key = ANY(%s)", [list(acked)]).fetchall()
    found = Counter(row[0] for row in rows)
    stored = {row[0]: row for row in rows}
    problems = []
    for key, (email, award, tranche, amount) in acked.items():
        row = stored.get(key)
        if row is None:
            problems.append(f"{key[:8]}… missing")
        elif found[key] != 1:
            problems.append(f"{key[:8]}… stored {found[key]} times")
        elif (row[1], row[2], row[3], row[5]) != (award, tranche, amount, email):
            problems.append(f"{key[:8]}… stored as {row[1:4]} by {row[5]}")
        elif row[4] not in ("requested", "approved"):
            problems.append(f"{key[:8]}… is {row[4]}")
    replays = sum(log.replays for log in logs)
    detail = (f"problems: {_examples(problems)}" if problems else
              f"{len(acked)} acknowledged requests present once each ({replays} sent twice "
              f"with the same key, recognised)")
    return Check("acknowledged disbursement requests present", not problems, detail)


def check_approvals(connection, logs: list[WriteLog]) -> Check:
    acked: dict[int, list[str]] = {}
    for log in logs:
        for entry in log.approvals:
            acked.setdefault(entry, []).append(log.email)
    rows = connection.execute(
        "SELECT d.id, d.state, lower(a.email) FROM disbursements d "
        "LEFT JOIN users a ON a.id = d.approved_by_id WHERE d.id = ANY(%s)",
        [list(acked)]).fetchall()
    stored = {row[0]: row for row in rows}
    problems = []
    for entry, emails in acked.items():
        row = stored.get(entry)
        if len(emails) > 1:
            problems.append(f"#{entry} approved by {len(emails)} users")
        elif row is None or row[1] not in ("approved", "paid"):
            problems.append(f"#{entry} is {row[1] if row else 'missing'}")
        elif row[2] != emails[0]:
            problems.append(f"#{entry} approved by {row[2]}, acknowledged to {emails[0]}")
    detail = (f"problems: {_examples(problems)}" if problems else
              f"{len(acked)} acknowledged approvals present, each by its approver")
    return Check("acknowledged approvals present", not problems, detail)


def check_maker_checker(connection) -> Check:
    rows = connection.execute(
        "SELECT id FROM disbursements WHERE approved_by_id = requested_by_id").fetchall()
    return Check("nobody approved their own request", not rows,
                 f"self-approved: {_examples(r[0] for r in rows)}" if rows else
                 "no disbursement was approved by its requester")


def check_over_disbursement(connection, refused: int) -> Check:
    """Committed money (requested, approved and paid, net of reversals) within each award
    and each tranche; ``refused`` is how many requests the ledger turned down meanwhile."""
    awards = connection.execute(
        "SELECT a.reference, a.amount - a.deobligated_amount, "
        "       coalesce(sum(d.amount) FILTER (WHERE d.state = ANY(%s)), 0) "
        "FROM awards a LEFT JOIN disbursements d ON d.award_id = a.id "
        "GROUP BY a.id ORDER BY a.id", [list(COMMITTED_STATES)]).fetchall()
    tranches = connection.execute(
        "SELECT t.id, t.planned_amount, "
        "       coalesce(sum(d.amount) FILTER (WHERE d.state = ANY(%s)), 0) "
        "FROM tranches t LEFT JOIN disbursements d ON d.tranche_id = t.id "
        "GROUP BY t.id ORDER BY t.id", [list(COMMITTED_STATES)]).fetchall()
    problems = [f"{reference}: {committed} of {available}"
                for reference, available, committed in awards if committed > available]
    problems += [f"tranche {tranche_id}: {committed} of {planned}"
                 for tranche_id, planned, committed in tranches if committed > planned]
    full = sum(1 for _id, planned, committed in tranches if committed == planned)
    detail = (f"over-disbursed: {_examples(problems)}" if problems else
              f"committed ≤ available on all {len(awards)} awards and {len(tranches)} "
              f"tranches; {full} tranches exactly full, {refused} requests refused as they "
              f"would have gone over")
    return Check("no award over-disbursed", not problems, detail)


#: Rows that a committed operation always writes together with their audit entry (and,
#: for a submission, its reference and endorsement request): one without the other would be
#: a half-written transaction, acknowledged or not.
CONSISTENCY = {
    "submitted applications without reference, endorsement or audit entry": """
        SELECT a.id FROM applications a
        WHERE a.state = 'submitted' AND (a.reference IS NULL OR a.submitted_at IS NULL
            OR NOT EXISTS (SELECT 1 FROM endorsements e WHERE e.application_id = a.id)
            OR NOT EXISTS (SELECT 1 FROM audit_entries x WHERE x.action = 'application.submit'
                           AND x.object_type = 'applications' AND x.object_id = a.id::text))""",
    "disbursements without their request audit entry": """
        SELECT d.id FROM disbursements d WHERE NOT EXISTS (
            SELECT 1 FROM audit_entries x WHERE x.action = 'disbursement.request'
            AND x.object_type = 'disbursements' AND x.object_id = d.id::text)""",
    "approved disbursements without approver or approval audit entry": """
        SELECT d.id FROM disbursements d WHERE d.state = 'approved' AND (
            d.approved_by_id IS NULL OR d.approved_at IS NULL OR NOT EXISTS (
            SELECT 1 FROM audit_entries x WHERE x.action = 'disbursement.approve'
            AND x.object_type = 'disbursements' AND x.object_id = d.id::text))""",
    "submitted reviews without scores or audit entry": """
        SELECT r.id FROM reviews r WHERE r.state = 'submitted' AND (
            NOT EXISTS (SELECT 1 FROM review_scores s WHERE s.review_id = r.id)
            OR NOT EXISTS (SELECT 1 FROM audit_entries x WHERE x.action = 'review.submit'
                           AND x.object_type = 'reviews' AND x.object_id = r.id::text))""",
}


def check_consistency(connection) -> Check:
    problems = []
    for name, query in CONSISTENCY.items():
        ids = [row[0] for row in connection.execute(query).fetchall()]
        if ids:
            problems.append(f"{name}: {_examples(ids)}")
    return Check("no half-written transaction", not problems,
                 "; ".join(problems) or "every submission, request, approval and review "
                                        "was written whole, with its audit entry")


def check_deadlocks(connection, before: Baseline) -> Check:
    count = deadlocks(connection) - before.deadlocks
    return Check("no deadlock", count == 0,
                 f"{count} deadlocks reported by PostgreSQL" if count else
                 "PostgreSQL reported no deadlock")


@dataclass
class OutboxState:
    counts: dict[str, int]
    retried: int


def outbox_state(connection) -> OutboxState:
    counts = dict(connection.execute(
        "SELECT state, count(*) FROM outbox_messages GROUP BY state").fetchall())
    retried = connection.execute(
        "SELECT count(*) FROM outbox_messages WHERE state = 'sent' AND attempts > 1"
    ).fetchone()[0]
    return OutboxState(counts, retried)


def check_outbox(connection, received: list[Received], outage) -> list[Check]:
    rows = connection.execute(
        "SELECT id, lower(recipient), subject, state, attempts FROM outbox_messages").fetchall()
    unsent = [(row[0], row[3]) for row in rows if row[3] != "sent"]
    expected = Counter(Received(recipient, normalised_subject(subject), str(message_id))
                       for message_id, recipient, subject, state, _attempts in rows
                       if state == "sent")
    arrived = Counter(received)
    missing = expected - arrived
    duplicates = arrived - expected
    retried = sum(1 for row in rows if row[3] == "sent" and row[4] > 1)
    delivered = Check(
        "every queued email delivered", not unsent and not missing,
        (f"not sent: {_examples(unsent)}; " if unsent else "")
        + (f"sent but never received: {sum(missing.values())}" if missing else
           f"{len(rows)} queued, {sum(expected.values())} sent and received"))
    once = Check(
        "no email delivered twice", not duplicates,
        f"{sum(duplicates.values())} extra deliveries, e.g. "
        f"{_examples(d.subject for d in duplicates)}" if duplicates else
        f"{len(received)} messages received for {sum(expected.values())} sent")
    if outage is None:
        return [delivered, once]
    queued_meanwhile = connection.execute(
        "SELECT count(*) FROM outbox_messages WHERE created_at BETWEEN %s AND %s",
        list(outage)).fetchone()[0]
    felt = Check(
        "SMTP outage felt and recovered", retried > 0,
        f"{queued_meanwhile} messages queued while the server was down; {retried} failed "
        f"at least once and were delivered after it came back" if retried else
        f"no message failed ({queued_meanwhile} queued while the server was down): the "
        f"outage was not exercised")
    return [delivered, once, felt]
