"""The donor workbook's form: a period and a fund, sent by GET so that the download link can
be bookmarked and shared."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import Optional, ValidationError

from core.forms import BaseForm, DayField
from reporting.workbook.queries import WorkbookPeriod


class WorkbookForm(BaseForm):
    """``from`` and ``to`` (both optional: none is the whole programme), ``fund`` (empty:
    every fund) and ``names=1`` for the variant with participants' names (staff only; the
    view checks it)."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DayField(_l("From"), [Optional()], name="from",
                      description=_l("The first day, for example 2018-01-01."))
    end = DayField(_l("To"), [Optional()], name="to",
                    description=_l("The last day, included."))
    fund = SelectField(_l("Fund"), choices=[], validate_choice=False)
    names = BooleanField(_l("Include participants' names and emails (personal data)"),
                         false_values=("", "0", "false", "off", "no"))

    def __init__(self, formdata=None, *, funds: list[tuple[int, str]], **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        self.fund.choices = [("", str(_l("All funds"))),
                             *((str(number), name) for number, name in funds)]

    def validate_end(self, field):
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The last day cannot be before the first day."))

    def validate_fund(self, field):
        # Checked against the list shown, never looked up as typed (it may be anything).
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose a fund from the list."))

    @property
    def period(self) -> WorkbookPeriod:
        return WorkbookPeriod(self.start.data, self.end.data)

    @property
    def fund_id(self) -> int | None:
        return int(self.fund.data) if self.fund.data else None
