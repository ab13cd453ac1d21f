"""Loading the object a page is about: by its primary key, or a 404."""

from __future__ import annotations

from typing import TypeVar

from flask import abort
from sqlalchemy.orm.interfaces import ORMOption

from core.extensions import db

Model = TypeVar("Model")


def get_or_404(model: type[Model], id, *options: ORMOption) -> Model:
    """The ``model`` row whose primary key is ``id``, loaded with the eager-load ``options``
    (``selectinload(...)``, ``joinedload(...)``); a 404 when there is none. Further
    conditions (belongs to this call, is published...) stay with the caller."""
    obj = db.session.get(model, id, options=options or None)
    if obj is None:
        abort(404)
    return obj
