"""``python -m bench.readme``: the README's benchmark tables, regenerated from the last results
in ``bench/results/`` (SQLite and, when there is one, PostgreSQL). The tables go between the
``<!-- bench:begin -->`` and ``<!-- bench:end -->`` lines of README.md; the prose around them
is written by hand."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import report

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
DATABASES = ("sqlite", "postgresql")


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _pages_table(runs: dict[str, tuple[dict | None, dict]]) -> list[str]:
    """One row per key page: statements at S / L and median / p95 at L on each database."""
    names = [name for name in DATABASES if name in runs]
    header = "| page | " + " | ".join(
        f"statements S / L ({name}) | median / p95 at L ({name}, ms)" for name in names) + " |"
    lines = [header, "|---" * (1 + 2 * len(names)) + "|"]
    keys = list(dict.fromkeys(page["key"] for _small, large in runs.values()
                              for page in large["pages"]))
    for key in keys:
        cells = []
        title = key
        for name in names:
            small, large = runs[name]
            page = {p["key"]: p for p in large["pages"]}.get(key)
            other = {p["key"]: p for p in (small or {}).get("pages", [])}.get(key)
            if page is None or page["outcome"] != "ok":
                cells += ["–", page["outcome"] if page else "–"]
                continue
            title = page["title"]
            statements = f"{other['queries'] if other else '–'} / {page['queries']}"
            cells += [statements, f"{_ms(page['median_ms'])} / {_ms(page['p95_ms'])}"]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return lines


def _exports_table(runs: dict[str, tuple[dict | None, dict]]) -> list[str]:
    names = [name for name in DATABASES if name in runs]
    lines = ["| export at L | " + " | ".join(f"time, peak ({name})" for name in names)
             + " | bare openpyxl, same cells |", "|---" * (2 + len(names)) + "|"]
    keys = list(dict.fromkeys(item["key"] for _small, large in runs.values()
                              for item in large.get("exports", [])))
    for key in keys:
        cells, baseline, title = [], "–", key
        for name in names:
            item = {e["key"]: e for e in runs[name][1].get("exports", [])}.get(key)
            if item is None or item["export"]["outcome"] != "ok":
                cells.append(item["export"]["outcome"] if item else "–")
                continue
            title, export = item["title"], item["export"]
            cells.append(f"{export['seconds']:.1f} s, {export['peak_mb']:.0f} MB")
            if item.get("baseline") and item["baseline"].get("seconds") and baseline == "–":
                baseline = (f"{item['baseline']['seconds']:.1f} s "
                            f"({item['time_ratio']:.2f}× on {name})")
                formatted = item.get("formatted_baseline") or {}
                if formatted.get("seconds") and item.get("formatted_ratio"):
                    baseline += (f"; with the number formats {formatted['seconds']:.1f} s "
                                 f"({item['formatted_ratio']:.2f}×)")
        lines.append(f"| {title} | " + " | ".join(cells) + f" | {baseline} |")
    return lines


def _targets(runs: dict[str, tuple[dict | None, dict]]) -> list[str]:
    lines = []
    for name in DATABASES:
        if name not in runs:
            continue
        small, large = runs[name]
        for target in report.all_targets(small, large):
            lines.append(f"- {target.label} — {target.name}: {target.detail}")
    return lines


def tables() -> str:
    runs = {}
    for name in DATABASES:
        large = report.load_previous("L", name)
        if large is not None:
            runs[name] = (report.load_previous("S", name), large)
    if not runs:
        raise SystemExit("no results in bench/results/: run make bench first")
    when = ", ".join(f"{name} {large['started_at']}" for name, (_s, large) in runs.items())
    return "\n".join([f"Measured by `make bench` ({when}):", "", *_pages_table(runs), "",
                      *_exports_table(runs), "", *_targets(runs)])


def rewrite(text: str, generated: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + generated + "\n" + text[end:]


def main() -> int:
    README.write_text(rewrite(README.read_text(), tables()))
    print(f"{README.name}: benchmark tables rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
