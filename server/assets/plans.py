"""Maintenance plan arithmetic: when the next occurrence of a plan falls due for one asset.

Pure: dates and numbers in, dates and numbers out; no database, no Flask. Due dates are calendar
days in the organisation's time zone.

- Time plans repeat every N days, weeks or months. Months are calendar months: a plan that
  starts on 31 January falls due on 28 (or 29) February, then 31 March: each occurrence is
  counted from the start, so a short month never drags the later ones earlier.
  `fixed` plans keep to that grid whatever happens; `completion` plans count the interval from
  the day the last occurrence was done (or from its due date, if it was skipped).
- Meter plans fall due every N units of a meter, counted from the reading when the last one was
  done (or from the first reading). The date is a forecast from the meter's recent rate.
- At most one occurrence per plan and asset is open at a time: the next is due only once the
  open one is done, skipped or cancelled.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

UNITS = ("day", "week", "month")
ANCHORS = ("fixed", "completion")
# Outcomes of an occurrence: still open (a work order exists), or finished one way or another.
OPEN = "open"
DONE = "completed"
SKIPPED = "skipped"
CANCELLED = "cancelled"
OUTCOMES = (OPEN, DONE, SKIPPED, CANCELLED)
# How far back the meter's rate is measured.
RATE_WINDOW = timedelta(days=90)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (31 Jan + 1 = 28/29
    Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def shift(day: date, *, every: int, unit: str, times: int = 1) -> date:
    """`day` moved by `times` intervals of `every` `unit`s."""
    if unit == "day":
        return day + timedelta(days=every * times)
    if unit == "week":
        return day + timedelta(weeks=every * times)
    if unit == "month":
        return add_months(day, every * times)
    raise ValueError(unit)


@dataclass(frozen=True)
class TimeRule:
    every: int
    unit: str
    anchor: str
    start: date

    def __post_init__(self) -> None:
        if self.every < 1 or self.unit not in UNITS or self.anchor not in ANCHORS:
            raise ValueError(self)

    def nth(self, n: int) -> date:
        """The n-th date on the fixed grid (0 is the start)."""
        return shift(self.start, every=self.every, unit=self.unit, times=n)

    def first_on_grid(self, lower: date) -> date:
        """The first grid date on or after `lower`."""
        if lower <= self.start:
            return self.start
        if self.unit == "month":
            months = (lower.year - self.start.year) * 12 + lower.month - self.start.month
            n = max(0, months // self.every - 1)
        else:
            span = self.every * (7 if self.unit == "week" else 1)
            n = max(0, (lower - self.start).days // span - 1)
        while self.nth(n) < lower:
            n += 1
        return self.nth(n)


@dataclass(frozen=True)
class Last:
    """The latest occurrence of a plan on an asset."""

    due_date: date
    outcome: str
    done_on: date | None = None
    # Meter plans: the value it was due at, and the meter's value when it was done.
    due_value: Decimal | None = None
    done_value: Decimal | None = None


def next_time_due(rule: TimeRule, last: Last | None, *, earliest: date) -> date | None:
    """The next due date, or None while an occurrence is open. With no history, the first due
    date is the start, or (for a plan begun in the past) the first date from `earliest` on."""
    if last is not None and last.outcome == OPEN:
        return None
    if rule.anchor == "fixed":
        lower = last.due_date + timedelta(days=1) if last else max(rule.start, earliest)
        return rule.first_on_grid(lower)
    if last is None:
        return max(rule.start, earliest)
    base = last.done_on if last.outcome == DONE and last.done_on else last.due_date
    following = shift(base, every=rule.every, unit=rule.unit)
    # Done long before it was due: still never on or before the day it was due.
    return max(following, last.due_date + timedelta(days=1))


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: Decimal


def next_meter_due_value(
    every: Decimal, last: Last | None, readings: Sequence[Reading]
) -> Decimal | None:
    """The meter value the next occurrence is due at (None while one is open, or with no
    reading to count from)."""
    if last is not None and last.outcome == OPEN:
        return None
    if last is not None and last.outcome == DONE and last.done_value is not None:
        return last.done_value + every
    if last is not None and last.due_value is not None:
        return last.due_value + every
    if not readings:
        return None
    return min(r.value for r in readings) + every


def rate_per_day(readings: Sequence[Reading]) -> Decimal | None:
    """Units per day over the last 90 days of readings (None: too few, or not rising)."""
    if len(readings) < 2:
        return None
    ordered = sorted(readings, key=lambda r: r.at)
    newest = ordered[-1]
    window = [r for r in ordered if r.at >= newest.at - RATE_WINDOW]
    oldest = window[0]
    seconds = Decimal(str((newest.at - oldest.at).total_seconds()))
    if seconds <= 0 or newest.value <= oldest.value:
        return None
    return (newest.value - oldest.value) * Decimal(86400) / seconds


def forecast_meter_date(
    due_value: Decimal, readings: Sequence[Reading], *, today: date, tz: ZoneInfo
) -> date | None:
    """The day the meter is expected to reach `due_value`: today if it already has; None when
    there is no rate to go by (fewer than two readings, or a meter standing still)."""
    if not readings:
        return None
    newest = max(readings, key=lambda r: r.at)
    if newest.value >= due_value:
        return today
    rate = rate_per_day(readings)
    if rate is None:
        return None
    days = (due_value - newest.value) / rate
    if days > 36500:  # a hundred years out is "not in any forecast"
        return None
    reach = newest.at + timedelta(days=math.ceil(days * 86400) / 86400)
    return max(reach.astimezone(tz).date(), today)


def is_due(due: date, *, lead_days: int, today: date) -> bool:
    """Generated `lead_days` ahead of its due date (and at once when overdue)."""
    return due - timedelta(days=lead_days) <= today


def appointment_window(
    due: date, start: time | None, end: time | None, tz: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """The plan's preferred time of day on the due date, as instants (None: no window)."""
    if start is None or end is None or end <= start:
        return None
    return (datetime.combine(due, start, tzinfo=tz), datetime.combine(due, end, tzinfo=tz))


def project_time(
    rule: TimeRule, last: Last | None, *, earliest: date, until: date
) -> Iterator[date]:
    """The due dates up to `until`, assuming each is done on the day it is due. An open
    occurrence counts as done on its due date."""
    current = last
    if current is not None and current.outcome == OPEN:
        current = Last(current.due_date, DONE, done_on=current.due_date)
    for _ in range(1000):
        due = next_time_due(rule, current, earliest=earliest)
        if due is None or due > until:
            return
        yield due
        current = Last(due, DONE, done_on=due)


def project_meter(
    every: Decimal,
    last: Last | None,
    readings: Sequence[Reading],
    *,
    today: date,
    until: date,
    tz: ZoneInfo,
) -> Iterator[tuple[date, Decimal]]:
    """(forecast date, due value) pairs up to `until` at the meter's current rate."""
    current = last
    if current is not None and current.outcome == OPEN:
        current = Last(current.due_date, SKIPPED, due_value=current.due_value)
    due_value = next_meter_due_value(every, current, readings)
    for _ in range(1000):
        if due_value is None:
            return
        when = forecast_meter_date(due_value, readings, today=today, tz=tz)
        if when is None or when > until:
            return
        yield when, due_value
        due_value += every
        newest = max((r.value for r in readings), default=due_value)
        if due_value <= newest:
            # Several intervals behind already: one overdue occurrence, then the next ahead.
            due_value += every * ((newest - due_value) // every + 1)
