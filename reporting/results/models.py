"""The results framework (logframe): outcomes, the outputs under them, their indicators,
each indicator's targets by period and, for indicators entered by hand, its actual values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    Enum,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin
from core.translations import Translatable
from reporting.results.states import IndicatorKind, ResultLevel

#: Every value of the framework (baselines, targets, actuals): exact, never a float; two
#: places, as money, so an amount indicator needs no column of its own.
Value = Numeric(14, 2, asdecimal=True)


class Result(Translatable, TimestampMixin, db.Model):
    """An outcome, or an output under an outcome."""

    __tablename__ = "results"
    __translatable__ = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[ResultLevel] = mapped_column(Enum(ResultLevel, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("results.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(300))

    parent: Mapped[Result | None] = relationship(remote_side=[id], back_populates="outputs")
    outputs: Mapped[list[Result]] = relationship(
        back_populates="parent", cascade="all, delete-orphan",
        order_by="(Result.position, Result.id)")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="result", cascade="all, delete-orphan",
        order_by="(Indicator.position, Indicator.id)")


class Indicator(Translatable, TimestampMixin, db.Model):
    __tablename__ = "result_indicators"
    __translatable__ = ("title", "unit")

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(300))
    #: "people", "organisations", or a currency code for an amount of money.
    unit: Mapped[str] = mapped_column(String(60), default="")
    kind: Mapped[IndicatorKind] = mapped_column(Enum(IndicatorKind, native_enum=False,
                                                     length=20))
    #: For a computed indicator, the key of its measure in ``measures.MEASURES``.
    measure: Mapped[str | None] = mapped_column(String(40))
    #: The breakdowns shown, among those the measure has ("sex", "age", "sector").
    disaggregation: Mapped[list] = mapped_column(JSON, default=list)
    #: Manual indicators: True when the period's actual is the sum of the values entered
    #: within it, False when it is the latest value entered (a level, a score).
    sums_actuals: Mapped[bool] = mapped_column(default=True)
    baseline: Mapped[Decimal] = mapped_column(Value, default=Decimal("0"))

    result: Mapped[Result] = relationship(back_populates="indicators")
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan",
        order_by="(IndicatorTarget.ends_on, IndicatorTarget.starts_on)")
    actuals: Mapped[list[IndicatorActual]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan",
        order_by="(IndicatorActual.ends_on, IndicatorActual.starts_on)")


class IndicatorTarget(db.Model):
    """What the indicator should reach over a period (a year, or any range of days)."""

    __tablename__ = "result_targets"
    __table_args__ = (UniqueConstraint("indicator_id", "starts_on", "ends_on",
                                       name="uq_result_targets_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("result_indicators.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Value)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorActual(TimestampMixin, db.Model):
    """A value staff measured for a manual indicator over a period."""

    __tablename__ = "result_actuals"
    __table_args__ = (UniqueConstraint("indicator_id", "starts_on", "ends_on",
                                       name="uq_result_actuals_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("result_indicators.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    value: Mapped[Decimal] = mapped_column(Value)
    source: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(back_populates="actuals")
