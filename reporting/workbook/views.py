from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workbook", __name__)
