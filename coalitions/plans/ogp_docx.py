"""An action plan as a Word document in the layout of the Open Government Partnership's
commitment template: a title page, an introduction with the plan's dates, then one section
per commitment with OGP's table, its milestones and its supporting stakeholders.

The content is ``ogp_json.plan_data`` (the same fields as the JSON export); the labels are
in the same language as the texts.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Pt
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _

from accounts.organisations.forms import country_name
from coalitions.plans.models import ActionPlan, Commitment
from coalitions.plans.ogp_json import plan_data
from coalitions.plans.states import PlanState

DOCX_MIMETYPE = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value), "long") if value else "—"


def _period(start: str | None, end: str | None) -> str:
    if not start and not end:
        return "—"
    return _("%(start)s to %(end)s", start=_day(start), end=_day(end))


def _names(organisations: list[dict]) -> str:
    return "\n".join(org["name"] for org in organisations) or "—"


def _bold(cell) -> None:
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.bold = True


#: A row spanning both columns: a heading inside the table.
HEADING = object()
#: The document's styles, each looked up once per document (a lookup by name searches the
#: whole style sheet).
_STYLES: ContextVar = ContextVar("ogp_docx_styles")
_STYLE_NAMES = ("Table Grid", "Title", "Heading 1", "Heading 2", "Heading 3")


def _heading(document, text: str, level: int) -> None:
    document.add_paragraph(text, _STYLES.get()["Title" if level == 0 else f"Heading {level}"])


def _table(document, rows: list[tuple], *, header: bool = False):
    """A table built at once (faster than row by row) from ``rows`` of cell texts. Labels
    are in bold: the first column's, or with ``header`` the first row's. A row whose second
    value is ``HEADING`` spans the table."""
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = _STYLES.get()["Table Grid"]
    for index, (row, values) in enumerate(zip(table.rows, rows, strict=True)):
        cells = row.cells
        if values[1] is HEADING:
            cells[0].merge(cells[-1]).text = values[0]
        else:
            for cell, value in zip(cells, values, strict=True):
                cell.text = value or "—"
        for cell in (cells if header and index == 0 else [] if header else cells[:1]):
            _bold(cell)
    return table


def _value(entry: dict) -> str:
    answer = _("Yes") if entry["relevant"] else _("No")
    return f"{answer}. {entry['explanation']}" if entry["explanation"] else answer


def _commitment_table(document, commitment: dict) -> None:
    values = commitment["ogp_values"]
    _table(document, [
        (_("Commitment title and number"), f"{commitment['number']}. {commitment['title']}"),
        (_("Lead implementing agency"), (commitment["lead_institution"] or {}).get("name")),
        (_("Period"), _period(commitment["starts_on"], commitment["ends_on"])),
        (_("Commitment description"), HEADING),
        (_("What is the public problem the commitment will address?"),
         commitment["problem"]),
        (_("What are the causes of the problem?"), commitment["cause"]),
        (_("What is the commitment?"), commitment["description"]),
        (_("How will the commitment contribute to solving the public problem?"),
         commitment["contribution"]),
        (_("Why is this commitment relevant to OGP values?"), HEADING),
        (_("Transparency"), _value(values["transparency"])),
        (_("Civic participation"), _value(values["civic_participation"])),
        (_("Public accountability"), _value(values["public_accountability"])),
        (_("Additional information"), commitment["additional_information"]),
    ])


def _milestones_table(document, commitment: dict) -> None:
    _heading(document, _("Milestones"), level=3)
    _table(document, [
        (_("Milestone activity with a verifiable deliverable"), _("Expected outputs"),
         _("Start date"), _("End date")),
        *[(f"{milestone['number']} {milestone['title']}", milestone["expected_outputs"],
           _day(milestone["starts_on"]), _day(milestone["ends_on"]))
          for milestone in commitment["milestones"]]], header=True)


def _stakeholders_table(document, commitment: dict) -> None:
    _heading(document, _("Contact information and supporting stakeholders"), level=3)
    supporting = commitment["supporting_institutions"]
    others = supporting["other_actors"] + commitment["coalitions"]
    _table(document, [
        (_("Government"), _names(supporting["government"])),
        (_("CSOs, private sector, multilaterals, working groups"), _names(others)),
    ])


def _title_page(document, plan: dict, commitments: int) -> None:
    document.add_paragraph(_("Open Government Partnership"))
    _heading(document, plan["title"], level=0)
    document.add_paragraph(_("National Action Plan of %(country)s",
                             country=country_name(plan["country"])))
    document.add_paragraph(_period(plan["starts_on"], plan["ends_on"]))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(document, _("Introduction"), level=1)
    document.add_paragraph(" ".join((
        _("This action plan runs from %(start)s to %(end)s.", start=_day(plan["starts_on"]),
          end=_day(plan["ends_on"])),
        ngettext("It holds %(num)d commitment.", "It holds %(num)d commitments.",
                 commitments),
        _("Its state: %(state)s.", state=PlanState(plan["state"]).title))))


def plan_docx(plan: ActionPlan, commitments: list[Commitment], language: str) -> bytes:
    """The plan as a ``.docx`` in ``language`` (labels, dates and texts)."""
    data = plan_data(plan, commitments, language)
    with force_locale(language):
        document = Document()
        _STYLES.set({name: document.styles[name] for name in _STYLE_NAMES})
        document.styles["Normal"].font.size = Pt(10)
        document.core_properties.title = data["plan"]["title"]
        document.core_properties.language = language
        _title_page(document, data["plan"], len(data["commitments"]))
        for commitment in data["commitments"]:
            _heading(document, _("Commitment %(number)s: %(title)s",
                                 number=commitment["number"], title=commitment["title"]),
                     level=2)
            _commitment_table(document, commitment)
            _milestones_table(document, commitment)
            _stakeholders_table(document, commitment)
        output = BytesIO()
        document.save(output)
    return output.getvalue()
