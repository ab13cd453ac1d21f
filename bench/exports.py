"""The donor workbook, the 360Giving and the IATI exports, each timed in a child process;
the spreadsheets compared with a baseline child that writes the same cells with bare
openpyxl.

Peak memory is the worker process's peak resident set size, read by a small measuring
process with ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` when the worker ends (see
``bench.export_child``). It includes the interpreter and, for the exports, the whole
application; ``ready`` is the same figure just before the work starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (key, title, file suffix, has an openpyxl baseline)
EXPORTS = [
    ("workbook", "Donor workbook (xlsx)", ".xlsx", True),
    ("360giving-json", "360Giving (json)", ".json", False),
    ("360giving-xlsx", "360Giving (xlsx)", ".xlsx", True),
    ("iati", "IATI activity file (xml)", ".xml", False),
]


@dataclass
class ChildRun:
    outcome: str
    seconds: float | None = None
    peak_mb: float | None = None
    ready_mb: float | None = None
    detail: str = ""


@dataclass
class ExportResult:
    key: str
    title: str
    export: ChildRun
    baseline: ChildRun | None = None
    #: The same cells with their number formats (money, dates) as the export gives them: the
    #: floor of a workbook whose amounts and dates read as such.
    formatted_baseline: ChildRun | None = None
    file_kb: float | None = None
    #: [{"title", "rows", "columns"}] of the file written (xlsx only)
    sheets: list | None = None

    @property
    def time_ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.seconds or self.export.seconds is None:
            return None
        return self.export.seconds / self.baseline.seconds

    @property
    def formatted_ratio(self) -> float | None:
        floor = self.formatted_baseline
        if floor is None or not floor.seconds or self.export.seconds is None:
            return None
        return self.export.seconds / floor.seconds

    def to_json(self) -> dict:
        data = asdict(self)
        data["time_ratio"] = self.time_ratio
        data["formatted_ratio"] = self.formatted_ratio
        return data


def run_child(*args: str) -> ChildRun:
    """Run ``bench.export_child`` with ``args`` through its measuring process."""
    completed = subprocess.run([sys.executable, "-m", "bench.export_child", "measure", *args],
                               cwd=ROOT, capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return ChildRun(outcome="error", detail=(completed.stderr or completed.stdout)[-800:])
    report = json.loads(lines[-1])
    run = ChildRun(outcome=report["outcome"], detail=report.get("detail", ""))
    if run.outcome == "ok":
        run.seconds = report["seconds"]
        run.peak_mb = report["peak_kib"] / 1024  # KiB on Linux
        run.ready_mb = report["ready_kib"] / 1024
    return run


def _kind(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (datetime, date)):
        return "datetime"
    return "str"


def sheet_shapes(path: Path) -> list[dict]:
    """Per sheet: rows, and per column the most common kind of value, the mean length of
    its texts and its most common number format (the header row counted apart)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    shapes = []
    try:
        for sheet in book.worksheets:
            rows, kinds, lengths, formats = 0, [], [], []
            for row in sheet.iter_rows():
                rows += 1
                while len(kinds) < len(row):
                    kinds.append(Counter())
                    lengths.append([0, 0])
                    formats.append(Counter())
                if rows == 1:
                    continue
                for index, cell in enumerate(row):
                    value = getattr(cell, "value", None)
                    kind = _kind(value)
                    if kind is not None:
                        formats[index][cell.number_format] += 1
                    kinds[index][kind] += 1
                    if kind == "str":
                        lengths[index][0] += len(str(value))
                        lengths[index][1] += 1
            columns = [{"kind": counter.most_common(1)[0][0] if counter else None,
                        "length": total // count if count else 0,
                        "format": used.most_common(1)[0][0] if used else "General"}
                       for counter, (total, count), used
                       in zip(kinds, lengths, formats, strict=True)]
            shapes.append({"title": sheet.title, "rows": rows, "columns": columns,
                           "header_rows": min(rows, 1)})
    finally:
        book.close()
    return shapes


def measure(database_url: str, instance: Path, progress=print) -> list[ExportResult]:
    results = []
    folder = Path(tempfile.mkdtemp(prefix="exports-", dir=instance))
    for key, title, suffix, has_baseline in EXPORTS:
        progress(f"  {title} ...")
        out = folder / f"{key}{suffix}"
        run = run_child("export", key, str(out), database_url, str(instance))
        result = ExportResult(key=key, title=title, export=run)
        results.append(result)
        if run.outcome != "ok" or not out.exists():
            continue
        result.file_kb = out.stat().st_size / 1024
        if not has_baseline:
            continue
        shapes = sheet_shapes(out)
        result.sheets = [{"title": s["title"], "rows": s["rows"], "columns": len(s["columns"])}
                         for s in shapes]
        shape_file = folder / f"{key}-shape.json"
        shape_file.write_text(json.dumps(shapes))
        progress(f"  {title}: baseline ...")
        result.baseline = run_child("baseline", str(shape_file),
                                    str(folder / f"{key}-baseline.xlsx"))
        progress(f"  {title}: baseline with number formats ...")
        result.formatted_baseline = run_child("baseline", str(shape_file),
                                              str(folder / f"{key}-formatted.xlsx"), "formats")
    return results
