"""The component layer: its macros render what pages need, and pages use them."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template_string, url_for

from core.components import TONES, state_tone

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
COMPONENTS = TEMPLATES / "_macros" / "ui.html"

# Markup only the macros write: a hand-written copy would drift from the rest.
HAND_WRITTEN = {
    "table wrapper": re.compile(r'class="table-wrap'),
    "data table": re.compile(r'<table class="data-table'),
    "badge": re.compile(r'class="badge[ "]'),
}


def _render(source: str, **context) -> str:
    return render_template_string('{% import "_macros/ui.html" as ui %}' + source, **context)


@pytest.mark.parametrize("kind", sorted(HAND_WRITTEN))
def test_no_page_writes_the_markup_of_a_component_by_hand(kind):
    offenders = [str(path.relative_to(TEMPLATES)) for path in sorted(TEMPLATES.rglob("*.html"))
                 if path != COMPONENTS and HAND_WRITTEN[kind].search(path.read_text("utf-8"))]
    assert not offenders, f"write the {kind} with templates/_macros/ui.html: {offenders}"


def test_a_data_table_scrolls_in_its_wrapper_with_its_key_column_fixed(app):
    with app.test_request_context():
        html = _render('{% call ui.data_table(label="Awards") %}<tr><td>A</td></tr>{% endcall %}')
    assert 'class="table-wrap table-key"' in html
    assert 'role="group" aria-label="Awards" tabindex="0"' in html
    assert '<table class="data-table">' in html and "<td>A</td>" in html


def test_a_card_table_labels_its_cells_instead_of_scrolling(app):
    with app.test_request_context():
        html = _render('{% call ui.data_table(cards=True, class="x") %}{% endcall %}')
    assert 'class="table-wrap"' in html
    assert 'class="data-table table-cards x"' in html


def test_state_badges_take_the_tone_of_their_state(app):
    from grants.applications.states import ApplicationState
    with app.test_request_context():
        html = _render("{{ ui.state_badge(state) }}", state=ApplicationState.awarded)
    assert html == ('<span class="badge badge-done" data-state="awarded">'
                    f"{ApplicationState.awarded.title}</span>")


def test_tones_read_the_enum_first_then_the_shared_table():
    from enum import StrEnum

    class Light(StrEnum):
        red = "red"
        awarded = "awarded"
        __tones__ = {"red": "stopped"}

    assert state_tone(Light.red) == "stopped"
    assert state_tone(Light.awarded) == "done"
    assert state_tone("overdue") == "stopped"
    assert state_tone("something else") == "neutral"


def test_no_value_has_two_tones():
    seen: dict[str, str] = {}
    for tone, values in TONES.items():
        for value in values:
            assert value not in seen, f"{value} is both {seen[value]} and {tone}"
            seen[value] = tone


def test_money_and_dates_are_unambiguous_and_machine_readable(app):
    with app.test_request_context():
        html = _render("{{ ui.money(amount, 'USD') }} {{ ui.date(day) }} {{ ui.datetime(moment) }}",
                       amount=Decimal("5000"), day=date(2026, 12, 6),
                       moment=datetime(2026, 12, 6, 18, 30))
    assert '<span class="money">US$5,000.00</span>' in html
    assert '<time datetime="2026-12-06">Dec 6, 2026</time>' in html
    assert '<time datetime="2026-12-06T18:30Z">Dec 6, 2026, 12:30' in html


def test_empty_values_render_nothing(app):
    with app.test_request_context():
        assert _render("{{ ui.date(none) }}{{ ui.datetime(none) }}") == ""


def test_a_confirmation_step_asks_before_the_form(app):
    with app.test_request_context():
        html = _render('{% call ui.confirm_step("Withdraw", "Withdraw it?") %}<form></form>'
                       "{% endcall %}")
    assert html.index("<summary") < html.index("Withdraw it?") < html.index("<form>")
    assert "button-danger" in html


def test_a_link_is_rendered_only_when_its_policy_allows_the_reader(app, factories):
    admin = factories.user(roles=("admin",))
    source = '{{ ui.link("users_admin.list_users", "Users") }}|{{ ui.link("core.home", "Home") }}'
    with app.test_request_context():
        assert _render(source) == '|<a href="/">Home</a>'
    with app.test_request_context():
        from flask_login import login_user
        login_user(admin)
        assert _render(source) == (f'<a href="{url_for("users_admin.list_users")}">Users</a>'
                                   '|<a href="/">Home</a>')
        assert _render('{{ ui.link("core.home", "Home", allowed=False) }}') == ""
