"""What a call may hold, checked without the database where no row is needed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.errors import OperationError
from grants.calls.content import clean_call, criterion_values

OPENS = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLOSES = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _field_refused(fields: dict) -> str:
    with pytest.raises(OperationError) as caught:
        clean_call(fields)
    return caught.value.field


def test_clean_values_are_normalised(app):
    cleaned = clean_call({"title": "  Small grants 2026 ", "summary": "One\nTwo",
                          "award_amount": "5000", "max_awards": "12", "opens_at": OPENS,
                          "closes_at": CLOSES, "reference_prefix": " ogb ",
                          "thematic_areas": ["Water", " ", "Roads "]})
    assert cleaned == {"title": "Small grants 2026", "summary": "One\nTwo",
                       "award_amount": Decimal("5000.00"), "max_awards": 12,
                       "opens_at": OPENS, "closes_at": CLOSES, "reference_prefix": "OGB",
                       "thematic_areas": ["Water", "Roads"]}


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"), ({"title": "Bell\x07"}, "title"),
    ({"title": "Two\nlines"}, "title"), ({"summary": "Nul\x00"}, "summary"),
    ({"thematic_areas": ["Water\x1b"]}, "thematic_areas"),
    ({"thematic_areas": ["Water", "water"]}, "thematic_areas"),
    ({"award_amount": "0"}, "award_amount"), ({"award_amount": "1.001"}, "award_amount"),
    ({"max_awards": "0"}, "max_awards"), ({"reference_prefix": "o g b"}, "reference_prefix"),
    ({"opens_at": CLOSES, "closes_at": OPENS}, "closes_at"),
])
def test_bad_values_are_refused_next_to_their_field(app, fields, field):
    assert _field_refused(fields) == field


def test_unknown_fields_are_a_programming_error(app):
    with pytest.raises(TypeError):
        clean_call({"colour": "blue"})


def test_criterion_text_refuses_control_characters(app):
    row = {"index": 2, "name": "Impact", "guidance": "Line one\nline two", "weight": "1.5",
           "max_score": 5}
    assert criterion_values(row)["weight"] == Decimal("1.50")
    with pytest.raises(OperationError) as caught:
        criterion_values({**row, "guidance": "Escape\x1b"})
    assert caught.value.field == "criteria-2-guidance"


def test_the_timeline_follows_the_closing_day_in_order(app):
    from datetime import date
    timeline = {"screening_by": date(2026, 4, 15), "review_by": date(2026, 5, 13),
                "decisions_by": date(2026, 5, 27)}
    assert clean_call({"opens_at": OPENS, "closes_at": CLOSES, **timeline}) == {
        "opens_at": OPENS, "closes_at": CLOSES, **timeline}
    # The closing day itself will do; the day before, or steps out of order, will not.
    assert clean_call({"closes_at": CLOSES, "screening_by": date(2026, 4, 1)})
    assert _field_refused({"closes_at": CLOSES, "screening_by": date(2026, 3, 31)}) == \
        "screening_by"
    assert _field_refused({**timeline, "review_by": date(2026, 4, 10)}) == "review_by"
    assert _field_refused({"decisions_by": date(1900, 1, 1)}) == "decisions_by"


def test_a_call_keeps_its_timeline_checked_against_its_own_days(app):
    from datetime import date

    from grants.calls.models import Call
    call = Call(closes_at=CLOSES, screening_by=date(2026, 4, 15))
    assert _refused_update(call, {"review_by": date(2026, 4, 10)}) == "review_by"
    assert clean_call({"review_by": date(2026, 4, 20)}, call) == {"review_by": date(2026, 4, 20)}


def _refused_update(call, fields: dict) -> str:
    with pytest.raises(OperationError) as caught:
        clean_call(fields, call)
    return caught.value.field
