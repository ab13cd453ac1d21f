"""The navigation menu, assembled from entries that each package registers for itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavGroup:
    """An area of the menu: its entries open from one button when the menu is long."""

    key: str
    label: object  # a lazy string
    order: int


GRANTS = NavGroup("grants", _l("Grants"), 20)
MONEY = NavGroup("money", _l("Money"), 30)
COALITIONS = NavGroup("coalitions", _l("Coalitions"), 40)
REPORTS = NavGroup("reports", _l("Reports"), 50)
ADMINISTRATION = NavGroup("administration", _l("Administration"), 60)
ACCOUNT = NavGroup("account", _l("Account"), 70)

#: Up to this many entries the menu is one row of links: grouping a short menu only hides
#: them behind a click.
FLAT_LIMIT = 8


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy string, resolved in the reader's language
    endpoint: str
    policy: Callable  # (user) -> (allowed, reason): the entry shows when the page is allowed
    order: int = 50
    group: NavGroup | None = None


def register(blueprint: Blueprint, *entries: NavEntry) -> None:
    """Add menu entries when ``blueprint`` is registered on an app."""

    @blueprint.record_once
    def _add_entries(state):
        state.app.extensions.setdefault("navigation", []).extend(entries)


def navigation_items() -> list[dict]:
    entries = sorted(current_app.extensions.get("navigation", []), key=lambda e: e.order)
    return [
        {"label": entry.label, "url": url_for(entry.endpoint), "group": entry.group,
         "active": request.endpoint == entry.endpoint}
        for entry in entries if entry.policy(current_user)[0]
    ]


def navigation_menu() -> list[dict]:
    """The reader's menu: links, and groups of links (``entries``) when the menu is long.

    A group with one entry is shown as that link; entries without a group come first."""
    items = navigation_items()
    if len(items) <= FLAT_LIMIT:
        return items
    groups: dict[NavGroup, list[dict]] = {}
    loose = []
    for item in items:
        if item["group"] is None:
            loose.append(item)
        else:
            groups.setdefault(item["group"], []).append(item)
    menu = list(loose)
    for group in sorted(groups, key=lambda group: group.order):
        members = groups[group]
        menu.append(members[0] if len(members) == 1 else {
            "label": group.label, "key": group.key, "entries": members,
            "active": any(member["active"] for member in members)})
    return menu


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
    app.jinja_env.globals["navigation_menu"] = navigation_menu
