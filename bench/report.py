"""The targets, the table printed at the end and the JSON files in ``bench/results/``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

P95_LIMIT_MS = 100.0
WORKBOOK_TIME_RATIO = 1.3
WORKBOOK_PEAK_MB = 250.0
#: Building and validating each open-data file at L.
OPEN_DATA_SECONDS = 3.0
OPEN_DATA_EXPORTS = ("360giving-json", "iati")
#: ``/calls`` while 8 clients download the open data.
BURST_P95_MS = 200.0


@dataclass
class Target:
    name: str
    #: True (met), False (not met) or None (could not be checked in this run)
    met: bool | None
    detail: str

    @property
    def label(self) -> str:
        return {True: "met", False: "NOT MET", None: "not checked"}[self.met]

    def to_json(self) -> dict:
        return {"name": self.name, "met": self.met, "detail": self.detail}


def results_path(scale: str, database: str) -> Path:
    return RESULTS / f"bench-{scale}-{database}.json"


def load_previous(scale: str, database: str) -> dict | None:
    path = results_path(scale, database)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _pages(result: dict) -> dict[str, dict]:
    return {page["key"]: page for page in result.get("pages", [])}


def query_targets(small: dict | None, large: dict | None) -> list[Target]:
    """Every key page issues as many statements at S as at L (no N+1)."""
    if small is None or large is None:
        return [Target("SQL statements per page equal at S and L", None,
                       "needs both scales (run without --scale, or S before L)")]
    targets = []
    small_pages, large_pages = _pages(small), _pages(large)
    for key, page in large_pages.items():
        other = small_pages.get(key)
        name = f"SQL statements equal at S and L: {page['title']}"
        if other is None or page["outcome"] != "ok" or other["outcome"] != "ok":
            outcome = page["outcome"] if page["outcome"] != "ok" else (other or {}).get(
                "outcome", "not measured")
            targets.append(Target(name, None, f"page {outcome}"))
            continue
        equal = other["queries"] == page["queries"] and page["queries_stable"]
        targets.append(Target(name, equal, f"S {other['queries']}, L {page['queries']}"))
    return targets


def p95_targets(large: dict | None) -> list[Target]:
    """Every key page's p95 at L, on the database of the run (SQLite or PostgreSQL)."""
    if large is None:
        return [Target(f"p95 under {P95_LIMIT_MS:.0f} ms at L", None, "L not measured")]
    targets = []
    for page in large["pages"]:
        name = f"p95 under {P95_LIMIT_MS:.0f} ms at L on {large['database']}: {page['title']}"
        if page["outcome"] != "ok":
            targets.append(Target(name, None, f"page {page['outcome']}"))
        else:
            targets.append(Target(name, page["p95_ms"] < P95_LIMIT_MS,
                                  f"p95 {page['p95_ms']:.0f} ms"))
    return targets


def open_data_targets(large: dict | None) -> list[Target]:
    targets = []
    exports = {item["key"]: item for item in (large or {}).get("exports", [])}
    for key in OPEN_DATA_EXPORTS:
        item = exports.get(key)
        name = f"{key} built and validated within {OPEN_DATA_SECONDS:.0f} s at L"
        if item is None or item["export"]["outcome"] != "ok":
            why = ("L not measured" if large is None else "not measured" if item is None
                   else f"export {item['export']['outcome']}")
            targets.append(Target(name, None, why))
            continue
        seconds = item["export"]["seconds"]
        targets.append(Target(name, seconds <= OPEN_DATA_SECONDS, f"{seconds:.1f} s"))
    return targets


def burst_targets(large: dict | None) -> list[Target]:
    name = f"/calls p95 under {BURST_P95_MS:.0f} ms during the download burst at L"
    burst = (large or {}).get("burst")
    if not burst or burst["outcome"] != "ok":
        why = ("L not measured" if large is None else "burst not measured" if not burst
               else f"burst {burst['outcome']}: {burst['detail'][:80]}")
        return [Target(name, None, why)]
    return [Target(name, burst["p95_ms"] < BURST_P95_MS and not burst["download_errors"],
                   f"p95 {burst['p95_ms']:.0f} ms ({burst['quiet_p95_ms']:.0f} ms without the "
                   f"burst), {burst['downloads']} downloads, "
                   f"{burst['download_errors']} failed")]


def workbook_targets(large: dict | None) -> list[Target]:
    names = (f"Donor workbook within {WORKBOOK_TIME_RATIO}x of bare openpyxl at L",
             f"Donor workbook under {WORKBOOK_PEAK_MB:.0f} MB peak at L")
    workbook = next((e for e in (large or {}).get("exports", []) if e["key"] == "workbook"),
                    None)
    if workbook is None or workbook["export"]["outcome"] != "ok":
        why = ("L not measured" if large is None
               else "exports not measured" if workbook is None
               else f"export {workbook['export']['outcome']}")
        return [Target(name, None, why) for name in names]
    export, baseline, ratio = workbook["export"], workbook["baseline"], workbook["time_ratio"]
    formatted = workbook.get("formatted_baseline") or {}
    with_formats = (f"; {formatted['seconds']:.1f} s with the same number formats "
                    f"({workbook['formatted_ratio']:.2f}x)"
                    if formatted.get("seconds") and workbook.get("formatted_ratio") else "")
    time_target = (Target(names[0], None, "no baseline") if ratio is None else
                   Target(names[0], ratio <= WORKBOOK_TIME_RATIO,
                          f"{export['seconds']:.1f} s vs {baseline['seconds']:.1f} s "
                          f"({ratio:.2f}x){with_formats}"))
    return [time_target,
            Target(names[1], export["peak_mb"] < WORKBOOK_PEAK_MB,
                   f"peak {export['peak_mb']:.0f} MB (process ready at "
                   f"{export['ready_mb']:.0f} MB)")]


def all_targets(small: dict | None, large: dict | None) -> list[Target]:
    return (query_targets(small, large) + p95_targets(large) + workbook_targets(large)
            + open_data_targets(large) + burst_targets(large))


def write(result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = results_path(result["scale"], result["database"])
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


# The table ---------------------------------------------------------------------------------

def _number(value, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_scale(result: dict) -> str:
    counts = result["counts"]
    lines = [
        f"== Scale {result['scale']} on {result['database']}: "
        f"{counts.get('applications', 0):,} applications, {counts.get('reviews', 0):,} "
        f"reviews, {counts.get('awards', 0):,} awards, {counts.get('disbursements', 0):,} "
        f"disbursements, {counts.get('events', 0):,} events, "
        f"{counts.get('attendances', 0):,} attendances; generated in "
        f"{result['generation_seconds']:.1f} s; scale run {result['seconds']:.1f} s ==",
        f"{'Page':<34}{'HTTP':>6}{'median ms':>11}{'p95 ms':>9}{'CPU ms':>9}{'SQL':>6}"
        f"{'KB':>8}{'n':>6}",
    ]
    for page in result["pages"]:
        if page["outcome"] != "ok":
            lines.append(f"{page['title']:<34}{_number(page['status']):>6}  "
                         f"{page['outcome']} {page['detail'][:60]}")
            continue
        stable = "" if page["queries_stable"] else "~"
        lines.append(
            f"{page['title']:<34}{page['status']:>6}{_number(page['median_ms'], 1):>11}"
            f"{_number(page['p95_ms'], 1):>9}{_number(page['cpu_median_ms'], 1):>9}"
            f"{stable + str(page['queries']):>6}{_number(page['response_kb']):>8}"
            f"{page['samples']:>6}")
    if result["exports"]:
        lines.append(f"{'Export':<26}{'s':>7}{'peak MB':>9}{'ready MB':>10}"
                     f"{'baseline s':>12}{'base MB':>9}{'ratio':>7}{'file KB':>9}")
        for item in result["exports"]:
            export, baseline = item["export"], item["baseline"] or {}
            if export["outcome"] != "ok":
                lines.append(f"{item['title']:<26}  {export['outcome']} "
                             f"{export['detail'][-70:]!r}")
                continue
            lines.append(
                f"{item['title']:<26}{_number(export['seconds'], 1):>7}"
                f"{_number(export['peak_mb']):>9}{_number(export['ready_mb']):>10}"
                f"{_number(baseline.get('seconds'), 1):>12}{_number(baseline.get('peak_mb')):>9}"
                f"{_number(item['time_ratio'], 2):>7}{_number(item['file_kb']):>9}")
            formatted = item.get("formatted_baseline") or {}
            if formatted.get("seconds"):
                lines.append(f"{'  same, with number formats':<26}{'':>7}{'':>9}{'':>10}"
                             f"{_number(formatted['seconds'], 1):>12}"
                             f"{_number(formatted.get('peak_mb')):>9}"
                             f"{_number(item.get('formatted_ratio'), 2):>7}")
    burst = result.get("burst")
    if burst:
        lines.append(
            f"Burst: {burst['page']} p95 {_number(burst['p95_ms'])} ms, median "
            f"{_number(burst['median_ms'])} ms while {burst['clients']} clients downloaded "
            f"the open data ({burst['downloads']} downloads, median "
            f"{_number(burst['download_median_ms'])} ms, {burst['download_errors']} failed; "
            f"p95 {_number(burst['quiet_p95_ms'])} ms without them) {burst['outcome']}")
    environment = result.get("environment", {})
    frozen = "; app's objects frozen (gc.freeze)" if environment.get("gc_freeze") else ""
    lines.append(f"(load average at start {environment.get('load_average_at_start')}, "
                 f"at end {environment.get('load_average_at_end')}; "
                 f"{environment.get('cpus')} CPUs{frozen})")
    return "\n".join(lines)


def format_targets(targets: list[Target]) -> str:
    lines = ["== Targets =="]
    lines += [f"[{target.label:^11}] {target.name}: {target.detail}" for target in targets]
    return "\n".join(lines)
