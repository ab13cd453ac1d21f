"""One run, start to finish: a fresh database, the schema, the seed, the SMTP server,
gunicorn and the outbox worker; the clients for the set duration while the faults are
injected; the outbox drained; the checks; and, whatever happened, everything stopped and
removed again."""

from __future__ import annotations

import os
import random
import resource
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from loadtest import checks, database, jobs, report
from loadtest.environment import LOGIN_RATE_LIMIT, Environment, free_port
from loadtest.processes import Gunicorn, OutboxWorker
from loadtest.scenario import Client
from loadtest.seed import Plan
from loadtest.smtp import SMTPServer

WORKERS = 4
#: Connection errors are expected only this long after the worker is killed.
KILL_WINDOW = 5.0


@dataclass
class Options:
    database_url: str
    duration: float
    clients: int
    smtp_outage: float
    kill_worker: bool
    think_max: float
    drain_timeout: float
    seed: int
    results_dir: Path
    keep_database: bool


@dataclass
class Timeline:
    """When the faults happened, in seconds since the load began."""

    #: (seconds since the load began, UTC time, what happened)
    events: list[tuple[float, str, str]] = field(default_factory=list)
    smtp_down: tuple[float, float] | None = None
    smtp_down_wall: tuple[datetime, datetime] | None = None
    killed_at: float | None = None
    killed_pid: int | None = None
    replaced_after: float | None = None

    def note(self, at: float, text: str) -> None:
        wall = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.events.append((round(at, 2), wall, text))
        print(f"  t={at:6.1f}s  {text}", flush=True)


def say(text: str) -> None:
    print(text, flush=True)


class Run:
    def __init__(self, options: Options):
        self.options = options
        self.stack = ExitStack()
        self.timeline = Timeline()
        self.checks: list[report.Check] = []

    # Set-up ------------------------------------------------------------------------------

    def prepare(self) -> None:
        options = self.options
        work_dir = Path(tempfile.mkdtemp(prefix="ogb-loadtest-"))
        self.stack.callback(shutil.rmtree, work_dir, ignore_errors=True)
        self.work_dir = work_dir
        instance = work_dir / "instance"
        instance.mkdir()
        self.env = Environment(database.plain_url(options.database_url), instance,
                               free_port(), free_port())
        say(f"Database {database.database_name(options.database_url)}: dropped and created.")
        database.recreate(options.database_url)
        if not options.keep_database:
            self.stack.callback(database.drop, options.database_url)
        self.env.flask("db", "upgrade", log_path=work_dir / "migrations.log")
        say("Schema created by flask db upgrade.")
        started = time.monotonic()
        self.plan = self._seed()
        say(f"Seeded through the operations in {time.monotonic() - started:.1f} s: "
            f"{len(self.plan.seats)} users, {len(self.plan.awards)} active awards, "
            f"{sum(len(s.drafts) + 1 for s in self.plan.seats if s.role == 'applicant')} "
            f"drafts, {sum(len(s.assignments) for s in self.plan.seats)} review assignments.")
        with database.connect(options.database_url) as connection:
            self.baseline = checks.baseline(connection)

    def _seed(self) -> Plan:
        self.env.apply_here()
        from app import create_app
        from core.extensions import db
        from loadtest.seed import seed

        app = create_app("production")
        with app.app_context():
            try:
                return seed(self.options.clients, self.options.duration,
                            secrets.token_urlsafe(18))
            finally:
                db.session.remove()
                db.engine.dispose()

    def start_services(self) -> None:
        self.smtp = SMTPServer(self.env.smtp_port)
        self.smtp.start()
        self.stack.callback(self.smtp.stop)
        variables = self.env.variables()
        self.gunicorn = Gunicorn(self.env.web_port, WORKERS, variables,
                                 self.work_dir / "gunicorn.log")
        self.gunicorn.start()
        self.stack.callback(self.gunicorn.stop)
        self.gunicorn.wait_ready()
        self.outbox = OutboxWorker(variables, self.work_dir / "outbox.log")
        self.outbox.start()
        self.stack.callback(self.outbox.stop)
        say(f"gunicorn with {WORKERS} workers on {self.env.base_url}, SMTP on "
            f"127.0.0.1:{self.env.smtp_port}, outbox worker polling every second.")

    # The load ----------------------------------------------------------------------------

    def load(self) -> None:
        options = self.options
        stop = threading.Event()
        origin = time.monotonic()
        rng = random.Random(options.seed)
        self.clients = [Client(number, seat, self.plan, self.env.base_url, stop, origin,
                               random.Random(rng.random()), options.think_max)
                        for number, seat in enumerate(self.plan.seats, start=1)]
        threads = [threading.Thread(target=client.run, name=f"client-{client.number}",
                                    daemon=True) for client in self.clients]
        say(f"\n{len(threads)} clients for {options.duration:.0f} s; faults:")
        cpu_before = _cpu_seconds()
        server_cpu_before = self.gunicorn.cpu_seconds()
        for thread in threads:
            thread.start()
        try:
            self._inject_faults(origin)
        finally:
            stop.set()
            for thread in threads:
                thread.join(90)
        self.elapsed = time.monotonic() - origin
        # The clients share a machine with the server: how much of it they used themselves.
        self.client_cpu = _cpu_seconds() - cpu_before
        self.server_cpu = max(self.gunicorn.cpu_seconds() - server_cpu_before, 0.0)
        # Figures depend on what else the machine was doing: keep that with them.
        self.load_average = os.getloadavg()[0]

    def _inject_faults(self, origin: float) -> None:
        options = self.options
        # Both faults fall in the steady state, after the clients have signed in.
        outage_start = options.duration * 0.3
        outage_end = outage_start + options.smtp_outage
        kill_at = options.duration * 0.6
        while (now := time.monotonic() - origin) < options.duration:
            if options.smtp_outage and self.timeline.smtp_down is None and now >= outage_start:
                self.smtp.stop()
                self.timeline.smtp_down = (now, now)
                self.timeline.smtp_down_wall = (datetime.now(UTC), datetime.now(UTC))
                self.timeline.note(now, "SMTP server stopped")
            if (self.timeline.smtp_down and not self.smtp.running and now >= outage_end):
                self._smtp_back(now)
            if options.kill_worker and self.timeline.killed_at is None and now >= kill_at:
                self._kill_worker(now)
            self._watch_replacement(now)
            self.outbox.keep_alive()
            time.sleep(0.1)
        if not self.smtp.running:
            self._smtp_back(time.monotonic() - origin)

    def _smtp_back(self, now: float) -> None:
        self.smtp.start()
        self.timeline.smtp_down = (self.timeline.smtp_down[0], now)
        self.timeline.smtp_down_wall = (self.timeline.smtp_down_wall[0], datetime.now(UTC))
        self.timeline.note(now, f"SMTP server started again on the same port "
                                f"(down {now - self.timeline.smtp_down[0]:.1f} s)")

    def _kill_worker(self, now: float) -> None:
        pid = random.Random(self.options.seed).choice(self.gunicorn.workers())
        self.gunicorn.kill_worker(pid)
        self.timeline.killed_at, self.timeline.killed_pid = now, pid
        self.timeline.note(now, f"gunicorn worker {pid} killed with SIGKILL")

    def _watch_replacement(self, now: float) -> None:
        line = self.timeline
        if line.killed_at is None or line.replaced_after is not None:
            return
        workers = self.gunicorn.workers()
        if line.killed_pid not in workers and len(workers) == WORKERS:
            line.replaced_after = now - line.killed_at
            line.note(now, f"gunicorn replaced it ({len(workers)} workers again)")

    # After the load ----------------------------------------------------------------------

    def drain_outbox(self) -> None:
        say("\nWaiting for the outbox to drain (failed messages retry after their backoff)…")
        deadline = time.monotonic() + self.options.drain_timeout
        last = None
        with database.connect(self.options.database_url) as connection:
            while True:
                state = checks.outbox_state(connection)
                pending = state.counts.get("queued", 0) + state.counts.get("sending", 0)
                if state.counts != last:
                    say(f"  outbox: {dict(sorted(state.counts.items()))}")
                    last = state.counts
                if pending == 0 or time.monotonic() > deadline:
                    break
                self.outbox.keep_alive()
                time.sleep(1)
        # Let the last SMTP session finish before the server is read.
        time.sleep(1)

    def stop_services(self) -> None:
        self.outbox.stop()
        self.gunicorn.stop()

    def job_takeover(self) -> None:
        """A job's worker killed mid-job, a new worker taking it over (``jobs.py``)."""
        say("\nA donor workbook job: its worker killed with SIGKILL mid-way, a new one started…")
        self.env.apply_here()
        from app import create_app
        from core.extensions import db

        app = create_app("production")
        try:
            self.job_outcome = jobs.run(self.options.database_url, self.env.variables(),
                                        self.work_dir,
                                        lambda attempt: jobs.queue_workbook(app, attempt))
        finally:
            with app.app_context():
                db.engine.dispose()
        say(f"  {jobs.check(self.job_outcome).detail}")

    def verify(self) -> None:
        samples = [sample for client in self.clients for sample in client.recorder.samples]
        logs = [client.log for client in self.clients]
        self.samples, self.logs_by_client = samples, logs
        self.checks.extend(self._http_checks(samples, logs))
        with database.connect(self.options.database_url) as connection:
            self.checks += [
                checks.check_drafts(connection, logs, self.baseline),
                checks.check_submissions(connection, logs),
                checks.check_reviews(connection, logs),
                checks.check_requests(connection, logs),
                checks.check_approvals(connection, logs),
                checks.check_maker_checker(connection),
                checks.check_over_disbursement(connection, sum(
                    count for log in logs for reason, count in log.refusals.items()
                    if reason.startswith("request:"))),
                checks.check_consistency(connection),
                checks.check_deadlocks(connection, self.baseline),
                *checks.check_outbox(connection, self.smtp.received(),
                                     self.timeline.smtp_down_wall),
            ]
        exits = self.outbox.exits
        self.checks.append(report.Check(
            "outbox worker kept running", not exits,
            f"exited {len(exits)} times (codes {exits})" if exits else "never exited"))
        self.checks.append(jobs.check(self.job_outcome))

    def _http_checks(self, samples, logs) -> list[report.Check]:
        server_errors = [s for s in samples if s.status is not None and s.status >= 500]
        result = [report.Check(
            "no 5xx answer", not server_errors,
            f"{len(server_errors)} answers ≥ 500 ({_labels(server_errors)}); see the "
            f"tracebacks below" if server_errors else f"{len(samples)} requests, none ≥ 500")]
        unexpected = [entry for log in logs for entry in log.unexpected]
        result.append(report.Check(
            "no unexpected answer", not unexpected,
            "; ".join(f"{label} {status}: {detail}" for label, status, detail
                      in unexpected[:5]) + (f" … ({len(unexpected)} in all)"
                                            if len(unexpected) > 5 else "")
            if unexpected else "every answer was one a correct client expects"))
        signed_in = sum(1 for client in self.clients if client.signed_in)
        result.append(report.Check(
            "every client signed in", signed_in == len(self.clients),
            f"{signed_in} of {len(self.clients)} through the login form with its CSRF "
            f"token (rate limit {LOGIN_RATE_LIMIT})"))
        if self.options.kill_worker:
            result.append(self._kill_check(samples))
        return result

    def _kill_check(self, samples) -> report.Check:
        line = self.timeline
        if line.killed_at is None:
            return report.Check("killed worker replaced, load carried on", False,
                                "no worker was killed (the run was too short)")
        failures = [s for s in samples if s.status is None]
        # A request cut off by the kill ends (without an answer) at the moment it happened.
        outside = [s for s in failures if not line.killed_at - 1
                   <= s.started + s.elapsed <= line.killed_at + KILL_WINDOW]
        after = sum(1 for s in samples if s.started > line.killed_at + 1
                    and s.status is not None and s.status < 500)
        passed = line.replaced_after is not None and not outside and after > 0
        replaced = (f"{line.replaced_after:.1f} s" if line.replaced_after is not None
                    else "never")
        detail = (f"worker {line.killed_pid} replaced after {replaced}; "
                  f"{len(failures)} request(s) lost their connection when it died"
                  f"{f', {len(outside)} outside that moment' if outside else ''}; "
                  f"{after} answered after it")
        return report.Check("killed worker replaced, load carried on", passed, detail)

    # Output ------------------------------------------------------------------------------

    def keep_logs(self, result_path: Path) -> None:
        """Copy the server and worker logs beside the result, for a failed run."""
        for name in ("gunicorn.log", "outbox.log", "jobs-first-worker.log",
                     "jobs-second-worker.log"):
            source = self.work_dir / name
            if source.exists():
                shutil.copy(source, result_path.with_suffix(f".{name}"))

    def server_tracebacks(self) -> str:
        text = (self.work_dir / "gunicorn.log").read_text(errors="replace")
        start = text.find("Traceback")
        return text[start:start + 4000] if start >= 0 else ""

    def result(self) -> dict:
        rows, total = report.figures(self.samples, self.elapsed)
        self.rows, self.total = rows, total
        actions = [action for client in self.clients for action in client.recorder.actions]
        self.action_rows, self.action_total = report.figures(actions, self.elapsed,
                                                             "all actions")
        refusals = sum((log.refusals for log in self.logs_by_client), start=Counter())
        return {
            "options": {key: str(value) for key, value in vars(self.options).items()
                        if key != "results_dir"},
            "login_rate_limit": LOGIN_RATE_LIMIT,
            "workers": WORKERS,
            "elapsed_seconds": round(self.elapsed, 2),
            "cpus": os.cpu_count(),
            "load_average_1min_at_end": round(self.load_average, 2),
            "client_cpu_seconds": round(self.client_cpu, 1),
            "server_worker_cpu_seconds": round(self.server_cpu, 1),
            "totals": total.to_json(),
            "requests": [row.to_json() for row in rows],
            "action_totals": self.action_total.to_json(),
            "actions": [row.to_json() for row in self.action_rows],
            "writes": {
                "draft_saves": sum(w.acked for log in self.logs_by_client
                                   for w in log.drafts.values()),
                "submissions": sum(len(log.submissions) for log in self.logs_by_client),
                "reviews": sum(w.acked for log in self.logs_by_client
                               for w in log.reviews.values()),
                "disbursement_requests": sum(len(log.requests)
                                             for log in self.logs_by_client),
                "approvals": sum(len(log.approvals) for log in self.logs_by_client),
                "refusals": dict(refusals),
                "connection_failures": sum(log.connection_failures
                                           for log in self.logs_by_client),
            },
            "faults": {"events": self.timeline.events,
                       "smtp_down": self.timeline.smtp_down,
                       "killed_worker": self.timeline.killed_pid,
                       "worker_replaced_after_seconds": self.timeline.replaced_after},
            "mail_received": len(self.smtp.received()),
            "checks": [check.to_json() for check in self.checks],
            "passed": all(check.passed for check in self.checks),
        }

    def print_summary(self, result: dict) -> None:
        per_request = self.server_cpu * 1000 / max(self.total.requests, 1)
        say(f"\nOver {self.elapsed:.0f} s on {os.cpu_count()} CPUs shared by the server, the "
            f"database and the clients (load average {self.load_average:.1f} at the end). "
            f"The gunicorn workers used {self.server_cpu:.0f} CPU-seconds (about "
            f"{per_request:.0f} ms a request, the database not counted), the clients "
            f"{self.client_cpu:.0f}.\n\nPer action, from its first request to its last "
            f"(open the form, post it, follow the redirect):\n")
        say(report.table(self.action_rows, self.action_total, unit="actions",
                         statuses=False))
        say("\nPer request (latency of answered requests):\n")
        say(report.table(self.rows, self.total))
        writes = result["writes"]
        say(f"\nAcknowledged writes: {writes['draft_saves']} draft saves, "
            f"{writes['submissions']} submissions, {writes['reviews']} reviews, "
            f"{writes['disbursement_requests']} disbursement requests, "
            f"{writes['approvals']} approvals. Refused as the rules say: "
            f"{writes['refusals'] or 'none'}. Requests without an answer: "
            f"{writes['connection_failures']}.")
        say(f"\nChecks:\n{report.summary(self.checks)}")
        tracebacks = self.server_tracebacks()
        if tracebacks and not result["passed"]:
            say(f"\nFirst server traceback:\n{tracebacks}")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _labels(samples) -> str:
    counts: dict[str, int] = {}
    for sample in samples:
        counts[sample.label] = counts.get(sample.label, 0) + 1
    return ", ".join(f"{label}×{count}" for label, count in sorted(counts.items()))


def execute(options: Options) -> int:
    """Run the whole test; returns the exit status (0: every check passed)."""
    run = Run(options)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        with run.stack:
            run.prepare()
            run.start_services()
            run.load()
            run.drain_outbox()
            run.stop_services()
            run.job_takeover()
            run.verify()
            result = run.result()
            run.print_summary(result)
            path = report.write_result(options.results_dir, result)
            if not result["passed"]:
                run.keep_logs(path)
            say(f"\nResult written to {path.relative_to(options.results_dir.parent)}.")
            say("PASSED" if result["passed"] else "FAILED")
            return 0 if result["passed"] else 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum, frame):
    # Unwind through the clean-up of whatever has been started, as for Ctrl-C.
    raise KeyboardInterrupt
