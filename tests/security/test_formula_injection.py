"""Formula injection across every export: hostile text (``=HYPERLINK(...)``, ``+cmd``,
``-1+1``, ``@SUM(1)``, a leading tab or carriage return) is stored in every free-text field of
the demo programme, then every spreadsheet the application produces (routes and ``flask
export`` commands) is opened with openpyxl. No cell may be a formula (even totals are written
as numbers), and no text may start with a formula trigger: user text starting with one is
written with a leading ``'``.

``EXPORTS`` has an entry for every route that returns a spreadsheet (its address ends in
.xlsx/.csv or its view builds one) and ``COMMANDS`` one for every ``flask export`` command;
a new one without an entry fails the enumeration tests. Each entry also lists the fields
whose hostile text must appear in the file, so a field dropped from the poisoning (or an
export that stops showing it) is noticed.
"""

from __future__ import annotations

import csv
import inspect
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import openpyxl
import pytest
from sqlalchemy import String, Text, select, update

from core.spreadsheets import XLSX_MIMETYPE
from tests.fixtures.jobs import download_through_job
from tests.reporting.conftest import demo_programme  # noqa: F401 - a fixture
from tests.security.routes import rules, sign_in

PAYLOADS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)", "\t=1",
            "\r=1"]
TRIGGERS = tuple("=+-@\t\r")
_TAG = re.compile(r"<(\w+\.\w+)>")

#: Free-text columns a user types (model path, columns). Codes, keys, emails and other
#: values the application parses are left alone.
POISONED = {
    "accounts.models.User": ("name",),
    "accounts.organisations.models.Organisation": (
        "name", "acronym", "district", "registration_number", "address"),
    "grants.calls.models.Fund": ("name",),
    "grants.calls.models.Call": ("title", "summary"),
    "grants.calls.models.ThematicArea": ("name",),
    "grants.calls.models.Criterion": ("name", "guidance"),
    "grants.calls.models.RequiredDocument": ("name",),
    "grants.calls.models.EligibilityStatement": ("text",),
    "grants.applications.models.Application": (
        "title", "summary", "problem", "objectives", "beneficiaries_description",
        "counterpart_contact_name", "counterpart_contact_position"),
    "grants.applications.models.Activity": ("description", "milestone"),
    "grants.applications.models.ExpectedResult": ("result", "indicator", "target"),
    "grants.applications.models.BudgetLine": ("description",),
    "grants.applications.models.EligibilityCheck": ("reason",),
    "grants.applications.models.Endorsement": ("responder_name", "responder_position",
                                               "comment"),
    "grants.reviews.models.Review": ("overall_comment",),
    "grants.reviews.models.ReviewScore": ("comment",),
    "grants.reviews.models.ReviewAssignment": ("decline_reason",),
    "grants.reviews.models.ConflictDeclaration": ("reason",),
    "grants.reviews.models.Decision": ("rationale",),
    "grants.awards.models.Award": ("conditions", "deobligation_reason", "termination_reason"),
    "grants.awards.models.Disbursement": ("payee_reference", "override_reason",
                                          "decision_reason", "bank_reference",
                                          "reversal_reason"),
    "grants.monitoring.models.ProgressReport": ("title",),
    "grants.monitoring.models.ReportVersion": ("activities", "results", "challenges",
                                               "staff_comment"),
    "grants.monitoring.models.Expenditure": ("description",),
    "grants.monitoring.models.ReportEvidence": ("description",),
    "coalitions.coalitions.models.Coalition": ("name", "purpose"),
    "coalitions.coalitions.models.CoalitionActivity": ("description", "outcome"),
    "coalitions.plans.models.ActionPlan": ("title",),
    "coalitions.plans.models.Commitment": ("title", "problem", "ambition"),
    "coalitions.plans.models.Milestone": ("title", "evidence"),
    "coalitions.events.models.Event": ("title", "district", "venue", "description"),
    "coalitions.events.models.Person": ("full_name",),
    "reporting.portal.models.ProjectPublication": ("public_title", "public_summary"),
    "core.uploads.models.StoredFile": ("original_name",),
}


def _model(path: str):
    module, _dot, name = path.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


def poison(session, payload: str) -> None:
    """Every poisoned column of every row becomes ``payload <Model.column>#id`` (cut to
    the column's length: the payload always survives, the tag may not).

    Written with SQL updates, as if typed when the rows were made: the ORM's guards (a paid
    disbursement is final) are about later changes."""
    for path, columns in POISONED.items():
        model = _model(path)
        table = model.__table__
        for row_id in session.scalars(select(table.c.id)):
            values = {}
            for column in columns:
                length = getattr(table.c[column].type, "length", None)
                value = f"{payload} <{model.__name__}.{column}>#{row_id}"
                values[column] = value[:length] if length else value
            session.execute(update(table).where(table.c.id == row_id).values(**values))
    session.flush()
    session.expire_all()


# Reading a workbook ------------------------------------------------------------------------

@dataclass
class Findings:
    problems: list
    tags: set


def inspect_workbook(data: bytes, where: str) -> Findings:
    book = openpyxl.load_workbook(io.BytesIO(data))
    findings = Findings([], set())
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                at = f"{where} {sheet.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    findings.problems.append(f"{at}: formula {value!r}")
                elif isinstance(value, str):
                    if value.startswith(TRIGGERS):
                        findings.problems.append(f"{at}: unquoted {value[:40]!r}")
                    findings.tags.update(_TAG.findall(value))
        for title in (sheet.title,):
            if title.startswith(TRIGGERS):
                findings.problems.append(f"{where}: sheet title {title!r}")
    return findings


def inspect_csv(data: bytes, where: str) -> Findings:
    findings = Findings([], set())
    for number, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"))), 1):
        for value in row:
            if value.startswith(TRIGGERS):
                findings.problems.append(f"{where} row {number}: unquoted {value[:40]!r}")
            findings.tags.update(_TAG.findall(value))
    return findings


def inspect_download(response, where: str) -> Findings:
    assert response.status_code == 200, (where, response.status_code)
    assert response.headers["Content-Disposition"].startswith("attachment"), where
    if response.mimetype == "text/csv":
        return inspect_csv(response.get_data(), where)
    assert response.mimetype == XLSX_MIMETYPE, where
    return inspect_workbook(response.get_data(), where)


# The exports -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    #: Who downloads it: a demo user's role name, or "anonymous".
    who: str
    #: The addresses to download, given the session.
    urls: Callable
    #: Fields (Model.column) whose hostile text must appear in the file.
    shows: frozenset = frozenset()
    #: Upload sent with the request (form data), given the payload.
    upload: Callable | None = None
    #: The address queues a background job (its query string is the form posted); the
    #: file is the job's, once the worker has made it.
    queued: bool = False


def _panels(session):
    from grants.reviews.models import Panel

    return [f"/staff/panels/{panel.id}/scores.xlsx"
            for panel in session.scalars(select(Panel).order_by(Panel.id))]


def _first_event(session):
    from coalitions.events.models import Event

    return [f"/staff/events/{session.scalar(select(Event.id).order_by(Event.id))}"
            f"/import/errors.xlsx"]


def _ledgers(session):
    from grants.awards.models import Award, Disbursement

    return [f"/awards/{award_id}/ledger.xlsx" for award_id in session.scalars(
        select(Award.id).where(Award.id.in_(select(Disbursement.award_id))).order_by(Award.id))]


def _attendance_sheet(payload: str) -> dict:
    """An attendance sheet whose every cell is hostile; its error report echoes them."""
    from coalitions.events.importer import HEADER

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow([f"{payload} <Sheet.column{n}>" for n in range(len(HEADER))])
    return {"file": (io.BytesIO(buffer.getvalue().encode()), "attendance.csv")}


EXPORTS: dict[str, Export] = {
    "ranking.export": Export("staff", _panels, frozenset({
        "Application.title", "Organisation.name", "User.name", "Criterion.name",
        "ReviewScore.comment", "Review.overall_comment", "Decision.rationale"})),
    "events.template": Export("staff", lambda s: ["/staff/events/template.xlsx"]),
    "awards.ledger_export": Export("finance", _ledgers, frozenset({
        "Disbursement.payee_reference", "User.name"})),
    "events.import_errors": Export("staff", _first_event, frozenset({"Sheet.column0"}),
                                   upload=_attendance_sheet),
    # The demo's projects have publication settings (their Spanish wording), so the
    # public title staff type stands in for the application's.
    "opendata.download_xlsx": Export("anonymous", lambda s: ["/open-data/360giving.xlsx"],
                                     frozenset({"ProjectPublication.public_title",
                                                "Organisation.name"})),
    # The staff's open-data exports are queued as jobs; the 360Giving spreadsheet is the one
    # a donor opens in a spreadsheet program.
    "exports.queue": Export(
        "staff", lambda s: ["/reports/open-data-exports?format=360giving-xlsx"],
        frozenset({"ProjectPublication.public_title", "Organisation.name"}), queued=True),
    "workbook.download": Export(
        "staff", lambda s: ["/reports/workbook/download", "/reports/workbook/download?names=1"],
        frozenset({"Application.title", "Organisation.name", "Event.title",
                   "Person.full_name", "Coalition.name"}), queued=True),
}

#: ``flask export`` commands: (arguments after the output file, fields that must appear).
COMMANDS: dict[str, tuple[list[str], frozenset]] = {
    "360giving": ([], frozenset({"ProjectPublication.public_title", "Organisation.name"})),
    "donor-workbook": (["--with-names"], frozenset({"Application.title", "Organisation.name",
                                                    "Event.title", "Person.full_name"})),
}

#: ``flask export`` commands that write no spreadsheet, with why no formula can arise.
NOT_SPREADSHEETS = {
    "iati": "IATI XML, validated against its schema: no program evaluates its text.",
}

#: ``enqueue(``: the route queues a background job that makes the file.
_EXPORT_HINTS = ("send_workbook(", "XLSX_MIMETYPE", "text/csv", "Workbook(", "enqueue(")


def export_endpoints(app) -> set[str]:
    found = set()
    for rule in rules(app):
        if rule.endpoint == "static":
            continue
        source = inspect.getsource(inspect.unwrap(app.view_functions[rule.endpoint]))
        if rule.rule.endswith((".xlsx", ".csv")) or any(h in source for h in _EXPORT_HINTS):
            found.add(rule.endpoint)
    return found


def test_every_export_has_a_case(app):
    endpoints = export_endpoints(app)
    assert not sorted(endpoints - EXPORTS.keys()), "exports without a formula-injection case"
    assert not sorted(EXPORTS.keys() - endpoints), "cases for exports that no longer exist"


def test_every_export_command_has_a_case(app):
    from reporting.cli import export_cli

    assert set(export_cli.commands) == set(COMMANDS) | set(NOT_SPREADSHEETS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=["hyperlink", "plus", "minus", "at", "tab",
                                                   "carriage-return"])
def test_no_export_turns_user_text_into_a_formula(payload, app, client, db_session,
                                                  demo_programme, tmp_path):  # noqa: F811
    poison(db_session, payload)
    problems, missing = [], []
    for endpoint, export in sorted(EXPORTS.items()):
        if endpoint not in app.view_functions:
            continue  # a reporting export not built yet: see test_every_export_has_a_case
        sign_in(client, None if export.who == "anonymous" else demo_programme[export.who])
        tags = set()
        for url in export.urls(db_session):
            if export.queued:
                path, _mark, query = url.partition("?")
                response = download_through_job(client, path, dict(parse_qsl(query)))
            elif export.upload is not None:
                response = client.post(url, data=export.upload(payload),
                                       content_type="multipart/form-data")
            else:
                response = client.get(url)
            findings = inspect_download(response, url)
            problems += findings.problems
            tags |= findings.tags
        missing += [f"{endpoint}: {field}" for field in sorted(export.shows - tags)]

    runner = app.test_cli_runner()
    for command, (arguments, shows) in sorted(COMMANDS.items()):
        out = tmp_path / f"{command}.xlsx"
        result = runner.invoke(args=["export", command, "--out", str(out), *arguments])
        assert result.exit_code == 0, (command, result.output)
        findings = inspect_workbook(out.read_bytes(), f"flask export {command}")
        problems += findings.problems
        missing += [f"flask export {command}: {field}" for field in sorted(shows - findings.tags)]

    assert not problems, problems[:50]
    assert not missing, f"hostile text expected in these exports was not found: {missing}"


def test_the_poisoned_columns_exist_and_hold_text():
    for path, columns in POISONED.items():
        table = _model(path).__table__
        for column in columns:
            assert isinstance(table.c[column].type, (String, Text)), (path, column)
