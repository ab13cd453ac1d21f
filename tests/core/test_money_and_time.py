from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import MoneyError, cents, currency_codes, split_by_shares, to_money
from core.timeutil import from_programme_time, to_programme_time


def test_to_money_rounds_half_up_and_refuses_floats():
    assert to_money("5000") == Decimal("5000.00")
    assert to_money("1,234.565") == Decimal("1234.57")
    with pytest.raises(MoneyError):
        to_money(0.1)
    for bad in ("abc", "NaN", "Infinity", ""):
        with pytest.raises(MoneyError):
            to_money(bad)


def test_database_sums_become_two_place_decimals():
    assert cents(None) == Decimal("0.00") and cents(0) == Decimal("0.00")
    assert cents(7) == Decimal("7.00") and cents(Decimal("12.5")) == Decimal("12.50")
    with pytest.raises(TypeError):
        cents(1.5)


def test_default_tranche_split_sums_exactly():
    parts = split_by_shares(Decimal("5000.00"), [Decimal(50), Decimal(40), Decimal(10)])
    assert parts == [Decimal("2500.00"), Decimal("2000.00"), Decimal("500.00")]


@given(total=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2),
       shares=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6))
def test_split_always_sums_to_the_total(total, shares):
    parts = split_by_shares(total, [Decimal(s) for s in shares])
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)


def test_currency_codes_come_from_iso_4217_list():
    assert {"USD", "BZD", "EUR"} <= currency_codes()
    assert "XYZ" not in currency_codes()


def test_programme_time_zone_round_trip(app):
    # Belize is UTC-6 all year round.
    local = datetime(2026, 3, 31, 17, 0)
    utc = from_programme_time(local)
    assert utc == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    assert to_programme_time(utc).replace(tzinfo=None) == local


def test_programme_today_is_the_day_in_the_programme_time_zone(app):
    from datetime import date

    from core.timeutil import programme_today, utcnow

    # 03:00 UTC on 1 April is still 31 March in Belize (UTC-6).
    assert programme_today(datetime(2026, 4, 1, 3, 0, tzinfo=UTC)) == date(2026, 3, 31)
    assert programme_today(datetime(2026, 4, 1, 6, 0, tzinfo=UTC)) == date(2026, 4, 1)
    assert programme_today() == to_programme_time(utcnow()).date()


def test_naive_datetimes_are_refused_by_the_column_type():
    from core.timeutil import UTCDateTime
    with pytest.raises(ValueError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), dialect=None)


def test_datetimes_come_back_aware_in_utc(factories, db_session):
    user = factories.user()
    db_session.expire(user)
    assert user.created_at.tzinfo is not None
    assert user.created_at.utcoffset().total_seconds() == 0


def test_money_is_formatted_in_the_readers_language(app):
    from flask_babel import force_locale

    from core.money import format_money
    with app.test_request_context():
        with force_locale("en"):
            assert format_money(Decimal("5000.00"), "USD") == "US$5,000.00"
            assert format_money(Decimal("-1250.5"), "BZD") == "-BZ$1,250.50"
            assert format_money(Decimal("300"), "GTQ") == "GTQ\xa0300.00"
        with force_locale("es"):
            # Latin American Spanish groups digits as English does.
            assert format_money(Decimal("5000.00"), "USD") == "US$5,000.00"


_NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=4,
                min_value=Decimal("-1e12"), max_value=Decimal("1e12")),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
    st.integers(min_value=-10**12, max_value=10**12),
    st.sampled_from([Decimal("0.05"), Decimal("0.15"), Decimal("2.25"), Decimal("-0.04"),
                     Decimal("-0"), 0.15, 2.675, -0.0, 1e-7, Decimal("999999.995")]))


@pytest.mark.parametrize("language, locale_name", [("en", "en"), ("es", "es_419"),
                                                    ("de", "de"), ("fr", "fr")])
@given(value=_NUMBERS, places=st.integers(min_value=0, max_value=3))
def test_fixed_numbers_are_written_as_babel_writes_them(app, language, locale_name, value,
                                                       places):
    """The fast formatter of amounts and scores gives Babel's text to the character, in
    locales whose separators differ from Python's."""
    from babel.numbers import format_decimal
    from flask_babel import force_locale

    from core.money import format_fixed
    pattern = "#,##0." + "0" * places if places else "#,##0"
    with app.test_request_context(), force_locale(language):
        assert format_fixed(value, places) == format_decimal(value, format=pattern,
                                                             locale=locale_name)


def test_dates_never_read_as_numbers_only(app):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    from core.i18n import _date_filter, format_programme_datetime
    moment = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
    with app.test_request_context():
        for locale in ("en", "es"):
            with force_locale(locale):
                for text in (format_programme_datetime(moment, "short"),
                             _date_filter(date(2026, 12, 6), "short")):
                    assert "12/6" not in text and "6/12" not in text
                    assert "dic" in text.lower() or "dec" in text.lower()


def test_the_time_zone_is_named_the_same_way_in_every_language(app):
    from flask_babel import force_locale

    from core.i18n import format_programme_datetime
    moment = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("en"):
            assert format_programme_datetime(moment).endswith("(CST)")
        with force_locale("es"):
            assert format_programme_datetime(moment).endswith("(CST)")


def test_a_zone_without_an_abbreviation_is_named_in_the_readers_language(app, monkeypatch):
    from flask_babel import force_locale

    from core.i18n import zone_name
    monkeypatch.setitem(app.config, "PROGRAMME_TIMEZONE", "America/Bogota")
    moment = datetime(2026, 12, 6, 18, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("es"):
            assert zone_name(moment) == "hora estándar de Colombia"
        with force_locale("en"):
            assert zone_name(moment) == "Colombia Standard Time"
