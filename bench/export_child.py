"""One export (or its baseline) in a process of its own, and its peak memory.

    python -m bench.export_child measure export KIND OUT DATABASE_URL INSTANCE_FOLDER
    python -m bench.export_child measure baseline SHAPE.json OUT [formats]

``measure`` starts a second process for the work itself and, when it ends, reads its peak
resident memory with ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` (its only child, so
the figure is that process's own). The measuring process stays small on purpose: Linux keeps
the peak of the memory a process was forked with, so the worker must be forked from a small
process, not from the benchmark with its database and app in memory.

Prints one JSON line: the seconds the work took (without the interpreter's start and the
imports), the peak memory (KiB) and the peak once ready to work, before the export began.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

#: Export kind -> the ``flask export`` arguments (DESIGN §4) that write it.
COMMANDS = {
    "workbook": ["export", "donor-workbook"],
    "360giving-json": ["export", "360giving"],
    "360giving-xlsx": ["export", "360giving"],
    "iati": ["export", "iati"],
}


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export(kind: str, out: str, database_url: str, instance: str) -> dict:
    from bench.database import Target, create_bench_app

    kind_of_database = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    target = Target(url=database_url, kind=kind_of_database, instance=Path(instance))
    app = create_bench_app(target)
    runner = app.test_cli_runner()
    ready_kib = _peak_kib()
    started = time.perf_counter()
    result = runner.invoke(args=[*COMMANDS[kind], "--out", out])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        missing = "No such command" in (result.output or "")
        return {"outcome": "missing" if missing else "error",
                "detail": (result.output or repr(result.exception))[-800:]}
    return {"outcome": "ok", "seconds": seconds, "ready_kib": ready_kib,
            "output": result.output.strip()[-300:]}


def _value(kind: str, row: int, column: int, length: int):
    """A value of ``kind`` that differs from row to row, as real data does (openpyxl keeps
    every distinct string in the shared-strings table)."""
    if kind == "str":
        text = f"r{row}c{column} "
        return (text * (length // len(text) + 1))[:max(length, len(text))]
    if kind == "int":
        return row * 7 + column
    if kind == "float":
        return row + column / 8
    if kind == "bool":
        return row % 2 == 0
    if kind == "datetime":
        return datetime(2020, 1, 1) + timedelta(minutes=row + column)
    return None


def baseline(shape_file: str, out: str, formats: str = "") -> dict:
    """The same cells as the export, sheet by sheet, with bare openpyxl in write-only mode:
    no styles, widths, filters or charts (the floor of what this library can do). With
    ``formats``, each column's values carry the column's number format, in one cell per
    column reused row after row (the cheapest way openpyxl allows)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    sheets = json.loads(Path(shape_file).read_text())
    ready_kib = _peak_kib()
    started = time.perf_counter()
    book = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        worksheet = book.create_sheet(sheet["title"])
        columns = sheet["columns"]
        cells = [None] * len(columns)
        if formats:
            for number, column in enumerate(columns):
                if column.get("format", "General") != "General":
                    cells[number] = WriteOnlyCell(worksheet)
                    cells[number].number_format = column["format"]
        for row in range(sheet["rows"]):
            if row < sheet["header_rows"]:
                worksheet.append([f"Heading {n}" for n in range(len(columns))])
                continue
            values = [_value(c["kind"], row, n, c["length"]) for n, c in enumerate(columns)]
            for number, cell in enumerate(cells):
                if cell is not None and values[number] is not None:
                    cell.value = values[number]
                    values[number] = cell
            worksheet.append(values)
    book.save(out)
    return {"outcome": "ok", "seconds": time.perf_counter() - started, "ready_kib": ready_kib}


def measure(args: list[str]) -> dict:
    completed = subprocess.run([sys.executable, "-m", "bench.export_child", *args],
                               capture_output=True, text=True, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {"outcome": "error", "detail": (completed.stderr or completed.stdout)[-800:]}
    result = json.loads(lines[-1])
    result["peak_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result


def main(argv: list[str]) -> int:
    mode, *args = argv
    if mode == "measure":
        result = measure(args)
    elif mode == "export":
        result = export(*args)
    else:
        result = baseline(*args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
