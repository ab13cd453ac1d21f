"""The shared checks of typed text, amounts and dates, and the form fields built on them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from core.errors import OperationError
from core.forms import BaseForm, DayField, LongTextField, MoneyField, TextField, more_than_zero
from core.validation import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    clean_amount,
    clean_date,
    clean_text,
    has_control_characters,
    is_plausible_year,
)


def _refusal(check, *args, **kwargs) -> OperationError:
    with pytest.raises(OperationError) as caught:
        check(*args, **kwargs)
    return caught.value


# Text --------------------------------------------------------------------------------------

def test_text_is_stripped_and_blank_is_allowed_unless_required():
    assert clean_text("  Road works \n", field="title", max_length=20) == "Road works"
    assert clean_text(None, field="title", max_length=20) == ""
    assert clean_text(12, field="title", max_length=20) == "12"
    error = _refusal(clean_text, "   ", field="title", max_length=20, required="Enter it.")
    assert error.message == "Enter it." and error.field == "title"


def test_text_longer_than_the_limit_is_refused():
    assert clean_text("x" * 5, field="name", max_length=5) == "xxxxx"
    error = _refusal(clean_text, "x" * 6, field="name", max_length=5)
    assert error.field == "name" and "at most 5" in str(error.message)


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x0bb", "a\x0cb"])
def test_control_characters_are_refused_everywhere(text):
    assert has_control_characters(text) and has_control_characters(text, multiline=True)
    for multiline in (False, True):
        error = _refusal(clean_text, text, field="summary", max_length=100, multiline=multiline)
        assert error.field == "summary" and "control characters" in str(error.message)


def test_line_breaks_and_tabs_belong_to_multi_line_texts_only():
    text = "First line\r\nsecond\tline"
    assert clean_text(text, field="summary", max_length=100, multiline=True) == text
    assert _refusal(clean_text, text, field="title", max_length=100).field == "title"
    assert not has_control_characters("Señora Núñez — “quoted” 😀")


# Amounts -----------------------------------------------------------------------------------

def test_amounts_become_two_place_decimals():
    assert clean_amount("1250.5") == Decimal("1250.50")
    assert clean_amount(Decimal("7")) == Decimal("7.00")
    assert clean_amount(3, field="total") == Decimal("3.00")
    assert clean_amount("0", allow_zero=True) == Decimal("0.00")


@pytest.mark.parametrize(("value", "words"), [
    (None, "Enter the amount"), ("", "Enter the amount"), (0.5, "in figures"),
    (True, "in figures"), ("abc", "in figures"), ("NaN", "in figures"),
    ("Infinity", "in figures"), ("-1", "negative"), ("0", "more than zero"),
    ("1.005", "two decimal places"), ("10000000000", "too large"),
])
def test_bad_amounts_are_refused(value, words):
    error = _refusal(clean_amount, value, field="award_amount")
    assert error.field == "award_amount" and words in str(error.message)


def test_amount_limit_and_message_can_be_given():
    assert _refusal(clean_amount, "11", maximum=Decimal(10)).field == "amount"
    assert str(_refusal(clean_amount, "x", invalid="Say a number.").message) == "Say a number."


# Dates -------------------------------------------------------------------------------------

def test_one_year_range_for_the_whole_programme():
    assert (EARLIEST_YEAR, LATEST_YEAR) == (1950, 2100)
    assert is_plausible_year(1950) and is_plausible_year(2100)
    assert not is_plausible_year(1949) and not is_plausible_year(2101)


def test_dates_outside_the_range_or_not_dates_are_refused():
    assert clean_date(date(2026, 3, 31), field="paid_on") == date(2026, 3, 31)
    assert clean_date(datetime(1950, 1, 1), field="opens_at") == datetime(1950, 1, 1)
    assert clean_date(None, field="paid_on") is None
    assert _refusal(clean_date, None, field="paid_on", required="Enter it.").message == \
        "Enter it."
    assert "2026-03-31" in str(_refusal(clean_date, "2026-03-31", field="paid_on").message)
    error = _refusal(clean_date, date(1949, 12, 31), field="paid_on")
    assert error.field == "paid_on" and "1950 and 2100" in str(error.message)


# Form fields -------------------------------------------------------------------------------

class _Form(BaseForm):
    class Meta:
        csrf = False

    title = TextField("Title", max_length=10)
    summary = LongTextField("Summary", max_length=100)
    day = DayField("Day")
    amount = MoneyField("Amount", [more_than_zero])


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "a\x00b"}, "title"), ({"title": "two\nlines"}, "title"),
    ({"title": "x" * 11}, "title"), ({"summary": "bell\x07"}, "summary"),
    ({"day": "1949-12-31"}, "day"), ({"day": "2101-01-01"}, "day"), ({"day": "31/03/2026"}, "day"),
    ({"amount": "0"}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "1.005"}, "amount"),
])
def test_form_fields_use_the_shared_checks(app, data, field):
    with app.test_request_context():
        form = _Form(MultiDict(data))
        assert not form.validate() and list(form.errors) == [field]


def test_form_fields_accept_clean_values(app):
    with app.test_request_context():
        form = _Form(MultiDict({"title": "  Roads ", "summary": "One\r\nTwo\tthree",
                                "day": "1950-01-01", "amount": "1,250.5"}))
        assert form.validate(), form.errors
        assert form.title.data == "Roads" and form.day.data == date(1950, 1, 1)
        assert form.amount.data == Decimal("1250.5")
