"""The menu: one row of links when short, grouped by area when long."""

from __future__ import annotations

from core import navigation


def _allowed(user):
    return True, ""


def _menu(app, entries):
    saved = app.extensions.get("navigation")
    app.extensions["navigation"] = entries
    try:
        with app.test_request_context("/"):
            return navigation.navigation_menu()
    finally:
        app.extensions["navigation"] = saved


def _entry(n, group):
    # Any endpoint the app has will do: the menu builds its address.
    return navigation.NavEntry(f"Entry {n}", "core.home", _allowed, order=n, group=group)


def test_a_short_menu_stays_one_row_of_links(app):
    menu = _menu(app, [_entry(n, navigation.GRANTS) for n in range(navigation.FLAT_LIMIT)])
    assert [node["label"] for node in menu] == [f"Entry {n}" for n in range(8)]
    assert not any("entries" in node for node in menu)


def test_a_long_menu_is_grouped_and_a_group_of_one_is_a_link(app):
    entries = [_entry(n, navigation.GRANTS) for n in range(6)]
    entries += [_entry(10 + n, navigation.REPORTS) for n in range(3)]
    entries += [_entry(20, navigation.ACCOUNT), _entry(30, None)]
    menu = _menu(app, entries)
    assert [str(node["label"]) for node in menu] == ["Entry 30", "Grants", "Reports", "Entry 20"]
    assert [item["label"] for item in menu[1]["entries"]] == [f"Entry {n}" for n in range(6)]


def test_every_menu_entry_of_the_app_has_a_group(app):
    assert all(entry.group is not None for entry in app.extensions["navigation"])
