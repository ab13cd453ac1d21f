"""The levels of the results framework and the kinds of indicator."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.enums import TitledEnum


class ResultLevel(TitledEnum):
    """An outcome is a change the programme contributes to; an output is what it delivers
    towards an outcome (each output belongs to one outcome)."""

    outcome = "outcome"
    output = "output"

    __titles__ = {
        outcome: _l("Outcome"),
        output: _l("Output"),
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
