"""``python -m bench [--scale S|L] [--repeat N] [--warmup N] [--no-exports] [--no-burst]
[--keep] [--no-gc-freeze] [--yes]``: by default S then L, then the targets (see bench/README.md)."""

from __future__ import annotations

import argparse
import sys
import time

from bench import report
from bench.database import check_postgres, postgres_url_from_environment
from bench.run import run_scale
from bench.scales import SCALES


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=[*SCALES, "both"], default="both",
                        help="S, L or both (default: both, S first, and compare them)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    parser.add_argument("--no-exports", action="store_true",
                        help="skip the workbook and 360Giving exports")
    parser.add_argument("--no-burst", action="store_true",
                        help="skip timing /calls under gunicorn while 8 clients download "
                             "the open data")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated SQLite database (its path is printed)")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="time the pages with Python's garbage-collection defaults, "
                             "without gc.freeze() of the started app (which app.py does "
                             "outside tests, as a server runs)")
    parser.add_argument("--yes", action="store_true",
                        help="allow emptying a PostgreSQL database whose name lacks 'bench'")
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1 or arguments.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    return arguments


def main(argv: list[str]) -> int:
    arguments = _arguments(argv)
    postgres_url = postgres_url_from_environment()
    if postgres_url:
        check_postgres(postgres_url, yes=arguments.yes)
    names = list(SCALES) if arguments.scale == "both" else [arguments.scale]
    started = time.perf_counter()
    results = {}
    for name in names:
        result = run_scale(SCALES[name], postgres_url=postgres_url, warmup=arguments.warmup,
                           repeat=arguments.repeat, with_exports=not arguments.no_exports,
                           keep=arguments.keep, gc_freeze=not arguments.no_gc_freeze,
                           with_burst=not arguments.no_burst).to_json()
        results[name] = result
        path = report.write(result)
        print(f"Scale {name}: results written to {path.relative_to(report.RESULTS.parent.parent)}")
    database = next(iter(results.values()))["database"]
    # A run of L alone is compared with the last S run on the same database, if any.
    small = results.get("S") or report.load_previous("S", database)
    large = results.get("L")
    targets = report.all_targets(small, large)
    if large is not None:
        large["targets"] = [target.to_json() for target in targets]
        if "S" not in results and small is not None:
            large["compared_with"] = f"S run of {small['started_at']}"
        report.write(large)
    print()
    for result in results.values():
        print(report.format_scale(result))
        print()
    print(report.format_targets(targets))
    print(f"\nTotal: {time.perf_counter() - started:.1f} s "
          + ", ".join(f"{name} {result['seconds']:.1f} s" for name, result in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
