"""Month arithmetic, once: calendar months with dateutil's relativedelta (a day past the end
of a shorter month is its last day), and whole months between two dates as the eligibility
rule counts them (the SQL twin is programs.models.MonthsBefore)."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier if negative)."""
    return day + relativedelta(months=months)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return month_start(day) + relativedelta(months=1)


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole months from one date to another (negative if the first is later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months
