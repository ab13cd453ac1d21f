"""The open data exports form: a fund, a period and a format."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.validators import InputRequired, Optional, ValidationError

from core.forms import BaseForm, DayField

#: Format -> (job kind, its parameter).
FORMATS = {"360giving-json": ("360giving", "json"), "360giving-xlsx": ("360giving", "xlsx"),
           "iati-xml": ("iati", "xml")}


class ExportForm(BaseForm):
    """``from`` and ``to`` (both optional: none is every period) choose projects by their
    award date; ``fund`` (empty: every fund); ``format``."""

    start = DayField(_l("From"), [Optional()], name="from",
                     description=_l("Projects awarded on this day or later, for example "
                                    "2026-01-01."))
    end = DayField(_l("To"), [Optional()], name="to",
                   description=_l("Projects awarded on this day or earlier."))
    fund = SelectField(_l("Fund"), choices=[], validate_choice=False)
    format = RadioField(_l("Format"), [InputRequired(_l("Choose a format."))], choices=[
        ("360giving-json", _l("360Giving JSON")),
        ("360giving-xlsx", _l("360Giving spreadsheet (XLSX)")),
        ("iati-xml", _l("IATI activity file (XML)"))], default="360giving-json")

    def __init__(self, formdata=None, *, funds: list[tuple[int, str]], **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        self.fund.choices = [("", str(_l("All funds"))),
                             *((str(number), name) for number, name in funds)]

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_fund(self, field):
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a fund from the list."))

    def job(self) -> tuple[str, dict]:
        """The job's kind and its parameters: JSON-ready."""
        kind, file_format = FORMATS[self.format.data]
        return kind, {"from": self.start.data.isoformat() if self.start.data else None,
                      "to": self.end.data.isoformat() if self.end.data else None,
                      "fund": int(self.fund.data) if self.fund.data else None,
                      "format": file_format}
