"""``python -m loadtest``: the load and fault test. Exits 0 when every check passed, 1 when
one failed, 2 when the test itself could not run."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from loadtest import database
from loadtest.runner import Options, execute

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be more than zero")
        return value
    return parse


def _not_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("cannot be negative")
    return value


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest",
        description="Load and fault test: gunicorn (4 workers) on a fresh PostgreSQL "
                    "database, concurrent signed-in clients, an SMTP outage and a killed "
                    "worker; then every acknowledged write, the ledger and the outbox are "
                    "checked.")
    parser.add_argument("--database-url",
                        default=os.environ.get("LOADTEST_DATABASE_URL", database.DEFAULT_URL),
                        help="PostgreSQL database to DROP, create and use "
                             "(default: %(default)s)")
    parser.add_argument("--duration", type=_positive(float), default=60.0,
                        help="seconds of load (default: %(default)s)")
    parser.add_argument("--clients", type=_positive(int), default=50,
                        help="concurrent clients, at least 5 (default: %(default)s)")
    parser.add_argument("--smtp-outage", type=_not_negative, default=15.0,
                        help="seconds the SMTP server is down, 0 for none "
                             "(default: %(default)s)")
    parser.add_argument("--kill-worker", action=argparse.BooleanOptionalAction, default=True,
                        help="kill one gunicorn worker with SIGKILL mid-run (default: yes)")
    parser.add_argument("--think", type=_not_negative, default=0.5,
                        help="longest pause of a client between actions, in seconds "
                             "(default: %(default)s)")
    parser.add_argument("--drain-timeout", type=_positive(float), default=240.0,
                        help="seconds to wait for the outbox to empty after the load "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=2026,
                        help="random seed of the clients' choices (default: %(default)s)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="where the JSON result goes (default: loadtest/results)")
    parser.add_argument("--keep-database", action="store_true",
                        help="leave the database in place afterwards, to inspect it")
    args = parser.parse_args(argv)
    if args.clients < 5:
        parser.error("--clients must be at least 5 (one of each kind of user)")
    if args.smtp_outage > args.duration * 0.6:
        # The outage starts at 30% of the run and must be over before the load is.
        parser.error("--smtp-outage can be at most 60% of --duration")
    try:
        database.database_name(args.database_url)
    except ValueError as error:
        parser.error(str(error))
    return Options(database_url=args.database_url, duration=args.duration,
                   clients=args.clients, smtp_outage=args.smtp_outage,
                   kill_worker=args.kill_worker, think_max=args.think,
                   drain_timeout=args.drain_timeout, seed=args.seed,
                   results_dir=args.results_dir.resolve(), keep_database=args.keep_database)


def main(argv: list[str] | None = None) -> int:
    options = parse_options(sys.argv[1:] if argv is None else argv)
    try:
        return execute(options)
    except KeyboardInterrupt:
        print("Interrupted: everything the test started has been stopped and removed.",
              file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print("The load test could not run to the end (see above); everything started "
              "has been stopped.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
