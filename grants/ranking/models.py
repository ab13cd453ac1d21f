"""A panel's review aggregates as computed for one version of the reviews they come from
(``grants/ranking/stored.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.timeutil import UTCDateTime, utcnow


class RankingFigures(db.Model):
    """What a panel's ranking reads of its submitted reviews (each application's summary of
    totals and mean z, the panel's agreement, the recommendations), computed when the
    ``ranking`` data version was ``version``."""

    __tablename__ = "ranking_figures"
    __table_args__ = (Index("ix_ranking_figures_key", "panel_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    figures: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
