"""The navigation menu, assembled from entries that each package registers for itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    label: object  # a lazy string, resolved in the reader's language
    endpoint: str
    is_visible: Callable  # (user) -> bool
    order: int = 50


def register(app: Flask, entry: NavEntry) -> None:
    app.extensions.setdefault("navigation", []).append(entry)


def navigation_items() -> list[dict]:
    entries = sorted(current_app.extensions.get("navigation", []), key=lambda e: e.order)
    return [
        {"label": entry.label, "url": url_for(entry.endpoint),
         "active": request.endpoint == entry.endpoint}
        for entry in entries if entry.is_visible(current_user)
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = navigation_items
