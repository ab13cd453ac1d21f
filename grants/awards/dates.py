"""The date of an award: one definition, given alike by the donor workbook (its "Decided"
column, and the period an award counts in) and by the 360Giving open data (``awardDate``).

The 360Giving standard defines ``awardDate`` as "when the decision to award this grant was
made", so the date is the day of the decision to award, in the programme's time zone. An
award created without a recorded decision time (an award made before decisions were recorded)
takes the day it was created, which is when the award was decided in the system. The signing
of the agreement comes later and is not the award date: it is the day the grant starts to be
published, not the day it was awarded.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func

from core.timeutil import to_programme_time


def decided_at(application_decided_at: datetime | None, award_created_at: datetime) -> datetime:
    """When the award was decided: the application's decision, else the award's creation."""
    return application_decided_at or award_created_at


def decided_column(application_decided_at, award_created_at):
    """:func:`decided_at` as an SQL expression, for the same two columns."""
    return func.coalesce(application_decided_at, award_created_at)


def award_date(application_decided_at: datetime | None, award_created_at: datetime) -> date:
    """The award date: the day, in the programme's time zone, of :func:`decided_at`."""
    return to_programme_time(decided_at(application_decided_at, award_created_at)).date()
