"""The donor workbook scales: the number of queries does not grow with the records, and a
200,000-participant sheet streams in bounded memory.

No wall-clock limit is asserted (performance is measured by the benchmark); query counts and
memory are deterministic enough to be."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event

from reporting.workbook.builder import build_donor_workbook

ROOT = Path(__file__).resolve().parents[2]


def _programme(db_session, factories, call, size: int) -> None:
    """In ``call``: ``size`` awarded applications, each with a budget, two reviews, an
    award, a paid disbursement and an accepted report; ``size`` people attending two events;
    ``size`` coalition members; an action plan commitment with ``size`` milestones."""
    from coalitions.coalitions.models import Coalition, CoalitionMembership
    from coalitions.events.models import Attendance, Event, EventType, Person
    from coalitions.plans.models import ActionPlan, Commitment, Milestone
    from grants.applications.models import BudgetLine
    from grants.awards.models import Award, Disbursement
    from grants.awards.states import AwardState, DisbursementState
    from grants.monitoring.models import Expenditure, ProgressReport, ReportVersion
    from grants.monitoring.states import ReportKind, ReportState
    from grants.reviews.models import Panel, Review, ReviewAssignment, ReviewScore
    from grants.reviews.states import ReviewState
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(db_session, factories)
    panel = db_session.query(Panel).filter_by(call_id=call.id).one_or_none() or Panel(call=call)
    reviewers = [factories.user(roles=("reviewer",)) for _ in range(2)]
    coalition = Coalition(name="Coalition", formed_on=date(2019, 1, 1))
    events = [Event(type=EventType.workshop, title=f"Event {n}", starts_on=date(2019, 3, n + 1),
                    ends_on=date(2019, 3, n + 1), country="BZ") for n in range(2)]
    plan = ActionPlan(title="Plan", starts_on=date(2019, 1, 1), ends_on=date(2020, 12, 31))
    plan.commitments = [Commitment(title="Commitment", milestones=[
        Milestone(title=f"Milestone {n}", due_on=date(2019, 6, 1)) for n in range(size)])]
    db_session.add_all([panel, coalition, plan, *events])
    decided = datetime(2019, 2, 1, 12, tzinfo=UTC)
    for n in range(size):
        organisation = factories.organisation()
        application = grants.application(
            call, organisation, state="awarded", areas=call.thematic_areas[:2],
            requested_amount=Decimal("5000.00"), reference=f"Q-{size}-{n}", decided_at=decided,
            counterpart=factories.organisation(), districts=["Cayo"])
        application.budget_lines = [BudgetLine(category="activities", description="Work",
                                               amount=Decimal("5000.00"))]
        for reviewer in reviewers:
            assignment = ReviewAssignment(panel=panel, application=application,
                                          reviewer=reviewer)
            assignment.review = Review(state=ReviewState.submitted, submitted_at=decided,
                                       scores=[ReviewScore(criterion_id=criterion.id, score=3)
                                               for criterion in call.criteria])
            db_session.add(assignment)
        award = Award(application=application, reference=f"AW-{size}-{n}",
                      amount=Decimal("5000.00"), currency="USD", state=AwardState.active)
        award.disbursements = [Disbursement(
            state=DisbursementState.paid, amount=Decimal("2500.00"), idempotency_key=f"{size}-{n}",
            requested_at=decided, paid_on=date(2019, 2, 5), paid_currency="USD",
            paid_amount=Decimal("2500.00"), exchange_rate=Decimal("1"),
            usd_equivalent=Decimal("2500.00"))]
        report = ProgressReport(award=award, kind=ReportKind.midterm, due_on=date(2019, 5, 1),
                                state=ReportState.accepted, accepted_at=decided)
        report.versions = [ReportVersion(number=1, submitted_at=decided, expenditures=[
            Expenditure(category="activities", spent_on=date(2019, 4, 1), description="Work",
                        amount=Decimal("2000.00"))])]
        coalition.memberships.append(CoalitionMembership(organisation=organisation,
                                                         joined_on=date(2019, 1, 1)))
        person = Person(full_name=f"Person {n}", organisation=organisation, country="BZ",
                        birth_year=1990)
        db_session.add_all([award, report, *(Attendance(event=e, person=person) for e in events)])
    db_session.flush()


def _queries_of_a_full_export(db_session) -> int:
    from core.extensions import db

    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        workbook = build_donor_workbook(None, None, with_names=True)
        workbook.save(io.BytesIO())
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert workbook.row_counts["Awards"] > 0 and workbook.row_counts["Participants"] > 0
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_records(app, db_session, factories):
    """Every sheet streams one query and loads its per-row numbers with grouped queries;
    the review scores reuse the ranking's code, a fixed number of queries per call."""
    from tests.fixtures.grants import GrantFactories

    call = GrantFactories(db_session, factories).call()
    _programme(db_session, factories, call, 2)
    # The first export may load a few objects the session then keeps (the call, its fund);
    # the comparison is between two exports of a warm session.
    _queries_of_a_full_export(db_session)
    small = _queries_of_a_full_export(db_session)
    _programme(db_session, factories, call, 18)  # 20 of everything in all
    assert _queries_of_a_full_export(db_session) == small


# Memory ---------------------------------------------------------------------------------------

PARTICIPANTS = 200_000
LIMIT_KB = 250 * 1024

#: Run in a fresh interpreter, so that its peak resident memory is the export's: a database of
#: its own (the test's transaction is invisible to another process), filled in chunks, then
#: the Participants sheet (the variant with names, the widest) written to a file.
SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from datetime import UTC, date, datetime

    def peak_kb():
        # Linux's VmHWM belongs to this program alone. ru_maxrss can report the parent's
        # size: the high-water mark of the process that forked us survives the exec.
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    database, output, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from app import create_app
    from config import TestingConfig

    settings = TestingConfig.from_environment()
    settings.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", SECRET_KEY="x" * 32,
                    MAIL_SERVER="")
    app = create_app(settings)
    with app.app_context():
        from sqlalchemy import insert
        from accounts.organisations.models import Organisation, Sector
        from coalitions.events.models import Attendance, Event, Person
        from core.extensions import db
        from core.spreadsheets import Workbook
        from reporting.workbook.queries import Scope, WorkbookPeriod
        from reporting.workbook.sheets_coalitions import participants_sheet

        db.create_all()
        now = datetime.now(UTC)
        sectors = [sector.name for sector in Sector]
        db.session.execute(insert(Organisation.__table__), [
            {"id": n, "name": f"Organisation {n}", "sector": sectors[n % len(sectors)],
             "country": "BZ", "is_verified": False, "created_at": now, "updated_at": now}
            for n in range(1, 101)])
        db.session.execute(insert(Event.__table__), [
            {"id": n, "type": "workshop", "title": f"Event {n}", "starts_on": date(2019, 1, n),
             "ends_on": date(2019, 1, n), "district": "", "country": "BZ", "is_online": False,
             "venue": "", "description": "", "created_at": now, "updated_at": now}
            for n in (1, 2)])
        sexes = ["female", "male", None, "other"]
        chunk = 20_000
        for first in range(1, count + 1, chunk):
            ids = range(first, min(first + chunk, count + 1))
            db.session.execute(insert(Person.__table__), [
                {"id": n, "full_name": f"Participant number {n}",
                 "email": f"participant{n}@example.org", "sex": sexes[n % 4],
                 "birth_year": 1960 + n % 50, "organisation_id": n % 100 + 1, "country": "BZ",
                 "is_international_expert": n % 97 == 0, "created_at": now, "updated_at": now}
                for n in ids])
            db.session.execute(insert(Attendance.__table__), [
                {"event_id": 1 + n % 2, "person_id": n, "role": "participant", "attended": True}
                for n in ids])
        db.session.commit()

        workbook = Workbook()
        spec = participants_sheet(Scope(WorkbookPeriod()), with_names=True)
        title = workbook.add_sheet(spec.title, spec.columns, spec.rows)
        workbook.save(output)
        print(json.dumps({"rows": workbook.row_counts[title], "peak_kb": peak_kb()}))
""")


def test_200000_participants_stream_in_bounded_memory(tmp_path):
    script = tmp_path / "export_participants.py"
    script.write_text(SCRIPT)
    output = tmp_path / "participants.xlsx"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path),
           "APP_ENV": "testing"}
    env.pop("DATABASE_URL", None)
    completed = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "people.db"), str(output),
         str(PARTICIPANTS)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["rows"] == PARTICIPANTS
    assert result["peak_kb"] < LIMIT_KB, f"peak {result['peak_kb'] // 1024} MB"
    assert output.stat().st_size > 1_000_000
