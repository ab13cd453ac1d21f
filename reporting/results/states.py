"""The levels of the results framework and the kinds of indicator."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from core.enums import TitledEnum


class ResultLevel(TitledEnum):
    """An outcome is a change the programme contributes to; an output is what it delivers
    towards an outcome (each output belongs to one outcome)."""

    outcome = "outcome"
    output = "output"

    __titles__ = {
        # "Outcome" alone is a screening decision elsewhere: a level of the logframe here.
        outcome: lazy_pgettext("results level", "Outcome"),
        output: lazy_pgettext("results level", "Output"),
    }


class IndicatorKind(TitledEnum):
    """Computed: measured from the records (``reporting.results.measures``). Manual: the
    actual values are entered by staff, period by period."""

    computed = "computed"
    manual = "manual"

    __titles__ = {
        computed: _l("Computed from the records"),
        manual: _l("Entered by staff"),
    }
