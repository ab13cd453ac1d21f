"""The navigation menu, assembled from entries that each package registers for itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy string, resolved in the reader's language
    endpoint: str
    policy: Callable  # (user) -> (allowed, reason): the entry shows when the page is allowed
    order: int = 50


def register(blueprint: Blueprint, *entries: NavEntry) -> None:
    """Add menu entries when ``blueprint`` is registered on an app."""

    @blueprint.record_once
    def _add_entries(state):
        state.app.extensions.setdefault("navigation", []).extend(entries)


def navigation_items() -> list[dict]:
    entries = sorted(current_app.extensions.get("navigation", []), key=lambda e: e.order)
    return [
        {"label": entry.label, "url": url_for(entry.endpoint),
         "active": request.endpoint == entry.endpoint}
        for entry in entries if entry.policy(current_user)[0]
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
