"""Time helpers: everything is stored in UTC and shown in the programme's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def programme_tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["PROGRAMME_TIMEZONE"])


def to_programme_time(value: datetime) -> datetime:
    return as_utc(value).astimezone(programme_tz())


def programme_today(now: datetime | None = None) -> date:
    """The calendar day it is (or was at ``now``) in the programme's time zone: deadlines and
    typed dates are days there, not in UTC."""
    return to_programme_time(now or utcnow()).date()


def from_programme_time(local: datetime) -> datetime:
    """A naive wall-clock time typed in the programme's time zone, as an aware UTC datetime."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=programme_tz())
    return local.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)
