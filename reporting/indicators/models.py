"""The indicators' figures as computed for a period, kept for as long as the records they
were computed from stay the same (``reporting/indicators/figures.py``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class IndicatorFigures(db.Model):
    """One kind of figures (the indicators, the dashboard's participants or quarters) of one
    period and fund (0: every fund), computed when the records' version (the ``indicators``
    data version) was ``version``."""

    __tablename__ = "indicator_figures"
    __table_args__ = (Index("ix_indicator_figures_key", "kind", "period_start", "period_end",
                            "fund_key", "version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    fund_key: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
