"""An action plan as a Word document in the layout of the Open Government Partnership's
commitment template: a title page, an introduction with the plan's dates, then one section
per commitment with OGP's table, its milestones and its supporting stakeholders.

The content is ``ogp_json.plan_data`` (the same fields as the JSON export); the labels are
in the same language as the texts.
"""

from __future__ import annotations

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


def _row(table, label: str, value: str, *, heading: bool = False):
    cells = table.add_row().cells
    cells[0].text = label
    for paragraph in cells[0].paragraphs:
        for run in paragraph.runs:
            run.bold = True
    if heading:
        merged = cells[0].merge(cells[1])
        merged.text = label
        merged.paragraphs[0].runs[0].bold = True
        return merged
    cells[1].text = value or "—"
    return cells


def _value(entry: dict) -> str:
    answer = _("Yes") if entry["relevant"] else _("No")
    return f"{answer}. {entry['explanation']}" if entry["explanation"] else answer


def _commitment_table(document, commitment: dict) -> None:
    values = commitment["ogp_values"]
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    _row(table, _("Commitment title and number"),
         f"{commitment['number']}. {commitment['title']}")
    _row(table, _("Lead implementing agency"),
         (commitment["lead_institution"] or {}).get("name", ""))
    _row(table, _("Period"), _period(commitment["starts_on"], commitment["ends_on"]))
    _row(table, _("Commitment description"), "", heading=True)
    for label, key in (
            (_("What is the public problem the commitment will address?"), "problem"),
            (_("What are the causes of the problem?"), "cause"),
            (_("What is the commitment?"), "description"),
            (_("How will the commitment contribute to solving the public problem?"),
             "contribution")):
        _row(table, label, commitment[key])
    _row(table, _("Why is this commitment relevant to OGP values?"), "", heading=True)
    _row(table, _("Transparency"), _value(values["transparency"]))
    _row(table, _("Civic participation"), _value(values["civic_participation"]))
    _row(table, _("Public accountability"), _value(values["public_accountability"]))
    _row(table, _("Additional information"), commitment["additional_information"])


def _milestones_table(document, commitment: dict) -> None:
    document.add_heading(_("Milestones"), level=3)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, (
            _("Milestone activity with a verifiable deliverable"), _("Expected outputs"),
            _("Start date"), _("End date")), strict=True):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    for milestone in commitment["milestones"]:
        cells = table.add_row().cells
        cells[0].text = f"{milestone['number']} {milestone['title']}"
        cells[1].text = milestone["expected_outputs"] or "—"
        cells[2].text = _day(milestone["starts_on"])
        cells[3].text = _day(milestone["ends_on"])


def _stakeholders_table(document, commitment: dict) -> None:
    document.add_heading(_("Contact information and supporting stakeholders"), level=3)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    supporting = commitment["supporting_institutions"]
    _row(table, _("Government"), _names(supporting["government"]))
    others = supporting["other_actors"] + commitment["coalitions"]
    _row(table, _("CSOs, private sector, multilaterals, working groups"), _names(others))


def _title_page(document, plan: dict, commitments: int) -> None:
    document.add_paragraph(_("Open Government Partnership"))
    document.add_heading(plan["title"], level=0)
    document.add_paragraph(_("National Action Plan of %(country)s",
                             country=country_name(plan["country"])))
    document.add_paragraph(_period(plan["starts_on"], plan["ends_on"]))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(_("Introduction"), level=1)
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
        document.styles["Normal"].font.size = Pt(10)
        document.core_properties.title = data["plan"]["title"]
        document.core_properties.language = language
        _title_page(document, data["plan"], len(data["commitments"]))
        for commitment in data["commitments"]:
            document.add_heading(_("Commitment %(number)s: %(title)s",
                                   number=commitment["number"], title=commitment["title"]),
                                 level=2)
            _commitment_table(document, commitment)
            _milestones_table(document, commitment)
            _stakeholders_table(document, commitment)
        output = BytesIO()
        document.save(output)
    return output.getvalue()
