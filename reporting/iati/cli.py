"""``flask export iati --out FILE.xml [--fund ID]``: the IATI activity file, for scheduled
publication (the IATI Registry links to a file at a stable address). Nothing is written
unless the whole file is valid; an existing file is replaced in one step."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import click

from reporting.cli import export_cli
from reporting.iati import queries
from reporting.iati.document import NothingToPublish, build_file


def _target(out: str) -> Path:
    path = Path(out)
    if path.is_dir():
        raise click.BadParameter(f"{out} is a folder; give a file name.", param_hint="--out")
    if path.suffix.lower() != ".xml":
        raise click.BadParameter("the file name must end in .xml.", param_hint="--out")
    if not path.parent.is_dir():
        raise click.BadParameter(f"the folder {path.parent} does not exist.",
                                 param_hint="--out")
    return path


def _write_atomically(path: Path, body: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over ``path``: a reader never
    sees half a file, and on failure ``path`` is untouched."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # public data; mkstemp makes it private
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@export_cli.command("iati")
@click.option("--out", "out", required=True, metavar="FILE.xml", help="The file to write.")
@click.option("--fund", "fund_id", type=int, default=None,
              help="Only the projects of this fund (its number).")
def export_iati(out: str, fund_id: int | None) -> None:
    """Write the programme and its published projects as an IATI 2.03 activity file."""
    path = _target(out)
    if fund_id is not None and not queries.funds(fund_id):
        raise click.BadParameter(f"no fund has the number {fund_id}.", param_hint="--fund")
    try:
        built = build_file(fund_id)
    except NothingToPublish:
        raise click.ClickException(
            "No fund names a donor or a managing organisation, so there is no programme to "
            "publish; nothing was written.") from None
    _write_atomically(path, built.body)
    click.echo(f"Wrote {built.activity_count} activities to {path}.")
    if built.left_out:
        reasons = ", ".join(f"{reason}: {number}" for reason, number in built.left_out.items())
        click.echo(f"{sum(built.left_out.values())} published project(s) left out "
                   f"(not public: {reasons}).")
