"""``flask export donor-workbook --out FILE.xlsx [--fund ID] [--from YYYY-MM-DD]
[--to YYYY-MM-DD] [--with-names] [--language en|es]``.

Everything is checked before anything is written; the file is written next to its final name
and renamed into place, so a failed run leaves no file (or the previous one) behind.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from core.validation import EARLIEST_YEAR, LATEST_YEAR, is_plausible_year
from reporting.cli import export_cli
from reporting.workbook import queries
from reporting.workbook.builder import build_donor_workbook
from reporting.workbook.queries import WorkbookPeriod

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Largest id a database integer column holds; a larger --fund cannot exist.
_MAX_ID = 2**63 - 1


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    text = value.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, for "
                                 f"example 2019-12-31.", param_hint=option) from None
    if not is_plausible_year(day.year):
        raise click.BadParameter(f"give a year between {EARLIEST_YEAR} and {LATEST_YEAR}.",
                                 param_hint=option)
    return day


def _output(path: Path) -> Path:
    if path.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{str(path)!r} does not end in .xlsx.", param_hint="--out")
    folder = path.parent
    if not folder.is_dir():
        raise click.BadParameter(f"the folder {str(folder)!r} does not exist.",
                                 param_hint="--out")
    if path.is_dir():
        raise click.BadParameter(f"{str(path)!r} is a folder.", param_hint="--out")
    return path


def _save_atomically(workbook, target: Path) -> None:
    """Write to a temporary file in the target's folder, then rename it over the target."""
    # Not a "with" block: the file must outlive the handle, to be renamed.
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=target.parent, prefix=f".{target.stem}-", suffix=".xlsx.part", delete=False)
    temporary = Path(handle.name)
    try:
        with handle:
            workbook.save(handle)
        umask = os.umask(0)
        os.umask(umask)
        temporary.chmod(0o666 & ~umask)  # as an ordinary new file, not the temporary 0600
        os.replace(temporary, target)
    except BaseException:
        workbook.close()
        temporary.unlink(missing_ok=True)
        raise


@export_cli.command("donor-workbook")
@click.option("--out", "out", required=True, metavar="FILE.xlsx",
              type=click.Path(path_type=Path), help="Where to write the workbook (.xlsx).")
@click.option("--fund", "fund_id", type=int, metavar="ID",
              help="Only this fund's calls, applications and grants (default: every fund).")
@click.option("--from", "start", metavar="YYYY-MM-DD",
              help="First day of the period (default: the programme's beginning).")
@click.option("--to", "end", metavar="YYYY-MM-DD",
              help="Last day of the period, included (default: to date).")
@click.option("--with-names", is_flag=True,
              help="Include participants' names and emails (personal data).")
@click.option("--language", metavar="en|es",
              help="Language of the sheets (default: the application's default language).")
def donor_workbook_command(out: Path, fund_id: int | None, start: str | None, end: str | None,
                           with_names: bool, language: str | None) -> None:
    """Write the donor workbook: the programme's indicators with charts and every record
    behind them, for a period (none: the whole programme)."""
    languages = current_app.config["LANGUAGES"]
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    if language not in languages:
        raise click.BadParameter(f"{language!r} is not one of {', '.join(languages)}.",
                                 param_hint="--language")
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and last < first:
        raise click.BadParameter(f"the period ends ({last}) before it starts ({first}).",
                                 param_hint="--to")
    target = _output(out)
    if fund_id is not None and (not 0 < fund_id <= _MAX_ID
                                or queries.fund_name(fund_id) is None):
        raise click.BadParameter(f"no fund has the number {fund_id}.", param_hint="--fund")

    with force_locale(language):
        workbook = build_donor_workbook(WorkbookPeriod(first, last), fund_id,
                                        with_names=with_names)
        counts = workbook.row_counts
        _save_atomically(workbook, target)
    click.echo(f"Wrote {target}: {len(counts)} sheets, {sum(counts.values())} rows "
               f"({'with names' if with_names else 'anonymised'}).")
