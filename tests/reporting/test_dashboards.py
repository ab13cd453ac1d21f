"""The dashboard page: the demo programme's numbers, who may see it, the filters, the charts'
markup."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from reporting.dashboards import queries
from reporting.dashboards.queries import Filters
from tests.fixtures.demo_numbers import PUBLIC_PROJECTS, REFERENCE_PROJECTS

URL = "/reports/dashboard"
REFERENCE = "from=2018-01-01&to=2019-12-31"
REFERENCE_PERIOD = Filters(date(2018, 1, 1), date(2019, 12, 31))


def _row(page: str, header: str) -> list[str]:
    """The cells after the row header ``header`` in the first table row that has it."""
    match = re.search(r'<tr><th scope="row">' + re.escape(header)
                      + r"</th>(.*?)</tr>", page, re.S)
    assert match, f"no row {header!r}"
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def _key_figure(page: str, term: str) -> str:
    match = re.search(r"<dt>" + re.escape(term) + r"</dt><dd>(.*?)</dd>", page)
    assert match, f"no key figure {term!r}"
    return match.group(1)


# The demo programme's reference numbers ----------------------------------------------------

def test_the_reference_numbers_of_the_demo_programme(demo_programme):
    board = queries.dashboard(REFERENCE_PERIOD)
    assert len(board.awards) == 8
    [usd] = board.money
    assert (usd.currency, usd.awards, usd.awarded) == ("USD", 8, Decimal("40000.00"))
    assert board.events == 21
    assert board.people.total == 212
    assert board.people.by_sex["female"] == 109
    assert board.people.by_age["under_30"] == 63
    assert sum(group.awards for group in board.by_area) == 8


def test_the_dashboard_agrees_with_the_indicators_page(demo_programme):
    from reporting.indicators.queries import Period, compute

    board = queries.dashboard(REFERENCE_PERIOD)
    indicators = compute(Period(REFERENCE_PERIOD.start, REFERENCE_PERIOD.end))
    assert board.events == indicators.events
    assert board.people.total == indicators.participants
    assert board.people.by_sex == indicators.by_sex
    assert board.people.by_age == indicators.by_age
    assert {total.currency: (total.awards, total.awarded) for total in board.money} == \
        indicators.grants_by_currency


def test_the_money_agrees_with_the_ledger_and_the_reports(demo_programme):
    from grants.ledger.queries import money_of
    from grants.monitoring.queries import spent_by_category

    board = queries.dashboard(REFERENCE_PERIOD)
    for row in board.awards:
        ledger = money_of(row.award)
        assert row.disbursed == ledger.disbursed
        assert row.committed == row.award.amount - row.award.deobligated_amount
        assert row.spent == sum(spent_by_category(row.award).values(), Decimal("0.00"))
    [usd] = board.money
    assert usd.disbursed == sum(row.disbursed for row in board.awards)
    # The demo has a reversal: the ledger's net is less than its gross payments.
    assert any(money_of(row.award).reversed > 0 for row in board.awards)
    assert usd.spent > 0


def test_the_page_shows_the_reference_numbers(client, login_as, demo_programme):
    login_as(demo_programme["donor"])
    page = client.get(f"{URL}?{REFERENCE}").get_data(as_text=True)
    assert _key_figure(page, "Awards") == str(REFERENCE_PROJECTS)
    assert _key_figure(page, "Events") == "21"
    assert _key_figure(page, "Unique participants") == "212"
    assert _key_figure(page, "Women") == "109"
    assert _key_figure(page, "Under 30") == "63"
    assert _row(page, "USD")[:2] == ["8", '<span class="money">US$40,000.00</span>']
    assert _row(page, "Female") == ["109"]
    assert _row(page, "Under 30") == ["63"]
    assert _row(page, "Awarded")[0] == "8"  # the pipeline's awarded applications
    assert _row(page, "The period")[0] == "21"
    assert "From Jan 1, 2018 to Dec 31, 2019." in page


def test_the_whole_programme_by_default(client, login_as, demo_programme):
    login_as("staff")
    page = client.get(URL).get_data(as_text=True)
    assert "The whole programme." in page
    assert 'id="from" name="from" type="date" value=""' in page
    # The demo's 2018–2019 data shows without choosing a period.
    assert _key_figure(page, "Awards") == str(PUBLIC_PROJECTS)  # every signed award
    assert int(_key_figure(page, "Events")) >= 21


def test_the_page_in_spanish(client, login_as, demo_programme):
    login_as("donor", locale="es")
    response = client.get(f"{URL}?{REFERENCE}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="es">' in page
    # Thematic areas are named in the reader's language, in the table and the chart.
    assert page.count("Acceso a la información pública") >= 2
    assert "Access to public information" not in page


# Who may see it ----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["staff", "admin", "finance", "donor"])
def test_staff_finance_and_donors_see_the_dashboard(client, login_as, role):
    login_as(role)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'href="{URL}"' in page  # the navigation entry
    assert "Applications by state" in page


@pytest.mark.parametrize("role", ["applicant", "reviewer"])
def test_applicants_and_reviewers_may_not(client, login_as, role):
    login_as(role)
    response = client.get(URL)
    assert response.status_code == 403
    assert f'href="{URL}"' not in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.location.startswith("/login")


# Filters -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field, message", [
    ("from=2019-13-01", "from", "Enter a date as YYYY-MM-DD"),
    ("from=yesterday", "from", "Enter a date as YYYY-MM-DD"),
    ("to=2019-02-30", "to", "Enter a date as YYYY-MM-DD"),
    ("to=20190101", "to", "Enter a date as YYYY-MM-DD"),
    ("from=2019-12-31&to=2019-01-01", "to", "The end of the period must not be before"),
    ("fund_id=abc", "fund_id", "Choose a fund from the list."),
    ("fund_id=-1", "fund_id", "Choose a fund from the list."),
    ("fund_id=%C2%B2", "fund_id", "Choose a fund from the list."),  # a superscript two
    ("from=%D9%A2%D9%A0%D9%A1%D9%A9-01-01", "from", "Enter a date as YYYY-MM-DD"),
])
def test_bad_filters_are_a_400_with_the_message_next_to_the_field(client, login_as, query,
                                                                   field, message):
    login_as("staff")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(f'<p class="error-message" id="{field}-error">{re.escape(message)}', page)
    assert f'aria-describedby="{field}-error"' in page
    assert "<svg" not in page


def test_hostile_filter_text_is_escaped(client, login_as):
    login_as("staff")
    response = client.get(URL, query_string={"from": '"><script>alert(1)</script>'})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;" in page


def test_the_ends_of_the_calendar_are_refused_not_an_error(client, login_as):
    login_as("staff")
    assert client.get(f"{URL}?from=1900-01-01&to=2100-12-31").status_code == 200
    assert client.get(f"{URL}?from=0001-01-01&to=9999-12-31").status_code == 400


def test_an_unknown_fund_is_a_404(client, login_as):
    login_as("staff")
    assert client.get(f"{URL}?fund_id=987654").status_code == 404


def test_the_fund_filter(client, login_as, db_session, factories):
    from grants.awards.models import Award
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(db_session, factories)
    mine, other = grants.call(), grants.call()
    for call, amount in ((mine, "1234.00"), (other, "4321.00")):
        application = grants.application(call, state="awarded", districts=["Cayo"])
        db_session.add(Award(application=application, amount=Decimal(amount), currency="USD",
                             reference=f"F-{amount}"))
    db_session.flush()
    login_as("donor")
    page = client.get(f"{URL}?fund_id={mine.fund_id}").get_data(as_text=True)
    assert "F-1234.00" in page and "F-4321.00" not in page
    assert f'<option value="{mine.fund_id}" selected>' in page
    assert "The fund filter applies to applications and awards only." in page
    everything = client.get(URL).get_data(as_text=True)
    assert "F-1234.00" in everything and "F-4321.00" in everything


def test_a_period_with_nothing_in_it(client, login_as, demo_programme):
    login_as("staff")
    response = client.get(f"{URL}?from=2030-01-01&to=2030-12-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _key_figure(page, "Awards") == "0"
    assert "No events in this period." in page


# An empty programme ------------------------------------------------------------------------

def test_an_empty_database_renders_with_zeros(client, login_as):
    login_as("staff")
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _key_figure(page, "Applications") == "0"
    assert _key_figure(page, "Unique participants") == "0"
    assert _row(page, "Draft") == ["0"]
    assert _row(page, "Female") == ["0"]
    assert "No awards in this period." in page
    assert "<svg" in page  # the pipeline and people charts, with zero-length bars


# The charts' markup ------------------------------------------------------------------------

def test_the_charts_are_accessible_svg_without_inline_styles(client, login_as, demo_programme):
    login_as("finance")
    response = client.get(f"{URL}?{REFERENCE}")
    page = response.get_data(as_text=True)
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", page, re.S)
    assert len(svgs) >= 10
    for svg in svgs:
        opening = re.match(r"<svg\b[^>]*>", svg).group(0)
        assert 'role="img"' in opening and 'viewBox="0 0 ' in opening
        ids = re.search(r'aria-labelledby="([^"]+)"', opening).group(1).split()
        for id_ in ids:
            assert f'id="{id_}"' in svg
        assert re.search(r'<title id="[^"]+">[^<]+</title>', svg)
        assert re.search(r'<desc id="[^"]+">[^<]+</desc>', svg)
    assert len(set(re.findall(r'\bid="(chart-[^"]+)"', page))) == len(
        re.findall(r'\bid="(chart-[^"]+)"', page))  # ids are unique on the page
    assert "style=" not in page
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert 'href="/static/css/dashboards.css?v=' in page
    # Values are written as text, not shown by colour alone.
    assert '<text class="chart-value"' in page
    assert "chart-inside" in page  # the money segments carry their amounts
    # Every data table has a caption and scoped headers.
    for table in re.findall(r"<table\b.*?</table>", page, re.S):
        assert re.search(r"<caption\b", table)  # shown, or for screen readers only
        assert "<th>" not in table and "<th " in table
    assert page.count('<div class="table-wrap') == page.count("<table")


def test_long_labels_are_cut_on_the_chart_and_whole_in_the_title(client, login_as, db_session,
                                                                  factories):
    from grants.awards.models import Award
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(db_session, factories)
    name = "The Very Long Named Association for Transparency and Accountability in Belize"
    call = grants.call()
    application = grants.application(call, factories.organisation(name=name), state="awarded")
    db_session.add(Award(application=application, amount=Decimal("100.00"), currency="USD",
                         reference="L-1"))
    db_session.flush()
    login_as("staff")
    page = client.get(URL).get_data(as_text=True)
    assert f"<title>L-1 · {name}:" in page
    short = re.search(r'<text class="chart-label"[^>]*>(L-1 · [^<]*)</text>', page).group(1)
    assert short.endswith("…") and len(short) < len(f"L-1 · {name}")



def test_the_page_lists_the_largest_awards_and_counts_them_all(client, login_as, db_session,
                                                                factories):
    from grants.awards.models import Award
    from tests.fixtures.grants import GrantFactories

    grants = GrantFactories(db_session, factories)
    call = grants.call()
    for index in range(25):
        application = grants.application(call, factories.organisation(), state="awarded")
        db_session.add(Award(application=application, amount=Decimal(f"{100 + index}.00"),
                             currency="USD", reference=f"M-{index:02d}"))
    db_session.flush()
    login_as("staff")
    page = client.get(URL).get_data(as_text=True)
    table = re.search(r"<caption>Money by award</caption>(.*?)</table>", page, re.S).group(1)
    listed = re.findall(r'<th scope="row" class="reference">(M-\d+)</th>', table)
    # The 20 largest, largest first: the five smallest (M-00 to M-04) are left out.
    assert listed == [f"M-{index:02d}" for index in range(24, 4, -1)]
    assert "of 25 awards in all" in page
    assert '<a href="/reports/workbook">The donor workbook lists every award.</a>' in page
    assert _key_figure(page, "Awards") == "25"
    # The totals still count every award: 100 + 101 + ... + 124.
    assert _row(page, "USD")[:2] == ["25", '<span class="money">US$2,800.00</span>']
