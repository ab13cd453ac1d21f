"""``flask export 360giving --out FILE.json|FILE.xlsx [--fund ID]``: the open data to a file,
for scheduled publication. Nothing is written unless the whole file is; an existing file is
replaced in one step, so a reader never sees half of one.

``flask opendata refresh [--all]``: rebuild the files the site serves (the worker normally
rebuilds them at its next turn after a change)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import click
from flask.cli import AppGroup

from reporting.cli import export_cli
from reporting.opendata import package, queries, store
from reporting.opendata.spreadsheet import build_workbook

opendata_cli = AppGroup("opendata", help="The open-data files the site serves.")

FORMATS = (".json", ".xlsx")
LEFT_OUT = {"amount": "amount not public", "award_date": "award date not public",
            "organisation": "organisation not public", "funder": "no funding organisation"}


def _target(out: str) -> tuple[Path, str]:
    path = Path(out)
    if path.is_dir():
        raise click.BadParameter(f"{out} is a folder; give a file name.", param_hint="--out")
    extension = path.suffix.lower()
    if extension not in FORMATS:
        raise click.BadParameter("the file name must end in .json or .xlsx, which chooses the "
                                 "format.", param_hint="--out")
    if not path.parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist.",
                                 param_hint="--out")
    return path, extension


def _write_atomically(path: Path, write) -> None:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it over
    ``path``; on any failure the temporary file is removed and ``path`` is untouched."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # public data; mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@export_cli.command("360giving")
@click.option("--out", "out", required=True, metavar="FILE.json|FILE.xlsx",
              help="The file to write; its extension chooses the format.")
@click.option("--fund", "fund_id", type=int, default=None,
              help="Only the grants of this fund (its number).")
def export_360giving(out: str, fund_id: int | None) -> None:
    """Write the published projects as 360Giving open data (JSON or spreadsheet)."""
    path, extension = _target(out)
    if fund_id is not None and queries.fund(fund_id) is None:
        raise click.BadParameter(f"no fund has the number {fund_id}.", param_hint="--fund")
    records = package.collect(fund_id)
    if not records.grants:
        raise click.ClickException(
            "No published project can be published as open data yet (the 360Giving standard "
            "needs at least one grant in a file); nothing was written.")
    data = package.build_package(records, fund_id=fund_id)
    if extension == ".json":
        body = package.dumps(data)
        _write_atomically(path, lambda handle: handle.write(body))
    else:
        workbook = build_workbook(data["grants"])
        try:
            _write_atomically(path, workbook.save)
        finally:
            workbook.close()
    count = len(records.grants)
    click.echo(f"Wrote {count} grant{'s' if count != 1 else ''} to {path}.")
    if records.left_out_total:
        reasons = ", ".join(f"{LEFT_OUT[reason]}: {number}"
                            for reason, number in records.left_out.items())
        click.echo(f"{records.left_out_total} published project(s) left out ({reasons}).")


@opendata_cli.command("refresh")
@click.option("--all", "everything", is_flag=True,
              help="Rebuild every stored file, not only those older than the data.")
def refresh(everything: bool) -> None:
    """Rebuild the stored 360Giving files (every fund, and each fund already asked for)."""
    current = store.rebuild_all(only_stale=not everything)
    click.echo(f"Open data up to date: {', '.join(current) or 'none'}.")
