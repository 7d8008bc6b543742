"""Plan arithmetic (pure): calendar months, leap years, fixed and completion anchors, meter
forecasts and appointment windows in time zones without daylight saving."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.assets import plans

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
rules = st.builds(
    plans.TimeRule,
    every=st.integers(1, 24),
    unit=st.sampled_from(plans.UNITS),
    anchor=st.sampled_from(plans.ANCHORS),
    start=days,
)
# Zones that never change their offset, so a local time of day is always the same instant.
DST_FREE = ("Asia/Shanghai", "UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu")


@given(days, st.integers(-600, 600))
def test_adding_months_clamps_to_the_end_of_a_shorter_month(day, months):
    moved = plans.add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


def test_month_ends_and_leap_days():
    monthly = plans.TimeRule(every=1, unit="month", anchor="fixed", start=date(2024, 1, 31))
    assert [monthly.nth(n) for n in range(4)] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30),
    ]  # fmt: skip
    yearly = plans.TimeRule(every=12, unit="month", anchor="fixed", start=date(2024, 2, 29))
    assert [yearly.nth(n) for n in range(5)] == [
        date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28),
        date(2028, 2, 29),
    ]  # fmt: skip


@given(rules, st.integers(0, 400))
def test_a_monthly_grid_never_drifts(rule, n):
    """Each date is counted from the start: a short month does not pull later ones earlier."""
    if rule.unit != "month":
        return
    due = rule.nth(n)
    assert due.day == min(rule.start.day, calendar.monthrange(due.year, due.month)[1])


@given(rules, st.integers(-400, 2500))
def test_the_first_grid_date_is_the_earliest_on_or_after_the_bound(rule, offset):
    lower = rule.start + timedelta(days=offset)
    found = rule.first_on_grid(lower)
    assert found >= lower
    assert found >= rule.start
    grid = [rule.nth(n) for n in range(0, 3000)]
    assert found in grid
    earlier = [d for d in grid if d < found]
    assert all(d < lower for d in earlier)


@given(rules, days, days, st.sampled_from([plans.DONE, plans.SKIPPED, plans.CANCELLED]))
def test_the_next_due_date_always_comes_after_the_last(rule, due, done, outcome):
    last = plans.Last(due_date=due, outcome=outcome, done_on=done)
    following = plans.next_time_due(rule, last, earliest=rule.start)
    assert following is not None
    assert following > due
    if rule.anchor == "fixed":
        assert following == rule.first_on_grid(due + timedelta(days=1))
    elif outcome == plans.DONE:
        assert following == max(
            plans.shift(done, every=rule.every, unit=rule.unit), due + timedelta(days=1)
        )


@given(rules, days)
def test_nothing_is_due_while_an_occurrence_is_open(rule, due):
    assert plans.next_time_due(rule, plans.Last(due, plans.OPEN), earliest=rule.start) is None


@given(rules, days)
def test_a_plan_begun_in_the_past_starts_from_when_it_was_made(rule, created):
    first = plans.next_time_due(rule, None, earliest=created)
    assert first is not None
    assert first >= max(created, rule.start)


def test_completion_plans_count_from_the_day_the_work_was_done():
    rule = plans.TimeRule(every=3, unit="month", anchor="completion", start=date(2026, 1, 15))
    done_late = plans.Last(date(2026, 1, 15), plans.DONE, done_on=date(2026, 1, 30))
    assert plans.next_time_due(rule, done_late, earliest=rule.start) == date(2026, 4, 30)
    skipped = plans.Last(date(2026, 1, 15), plans.SKIPPED)
    assert plans.next_time_due(rule, skipped, earliest=rule.start) == date(2026, 4, 15)


@given(rules, days, st.integers(1, 400))
def test_the_projection_is_increasing_and_inside_the_horizon(rule, today, horizon):
    until = today + timedelta(days=horizon)
    dates = list(plans.project_time(rule, None, earliest=today, until=until))
    assert dates == sorted(set(dates))
    assert all(max(today, rule.start) <= d <= until for d in dates)


# --- meters ---------------------------------------------------------------------------------


def _linear(start: datetime, per_day: int, count: int, base: int = 0) -> list[plans.Reading]:
    return [
        plans.Reading(start + timedelta(days=i), Decimal(base + per_day * i)) for i in range(count)
    ]


@given(
    st.integers(1, 500),
    st.integers(2, 60),
    st.integers(1, 20_000),
    st.integers(0, 10_000),
)
def test_a_meter_forecast_follows_a_steady_rate(per_day, count, ahead, base):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    readings = _linear(start, per_day, count, base)
    newest = readings[-1]
    due_value = newest.value + ahead
    today = newest.at.date()
    when = plans.forecast_meter_date(due_value, readings, today=today, tz=ZoneInfo("UTC"))
    # The readings are at midnight: the value is reached during day `ahead / per_day`.
    assert when == today + timedelta(days=ahead // per_day)


@given(st.integers(0, 5000), st.integers(0, 100))
def test_a_meter_that_has_passed_its_due_value_is_due_today(base, over):
    readings = _linear(datetime(2026, 3, 1, tzinfo=UTC), 10, 5, base)
    due_value = readings[-1].value - over
    today = date(2026, 3, 9)
    assert plans.forecast_meter_date(due_value, readings, today=today, tz=ZoneInfo("UTC")) == today


def test_no_forecast_without_a_rate():
    at = datetime(2026, 3, 1, tzinfo=UTC)
    still = [plans.Reading(at, Decimal(5)), plans.Reading(at + timedelta(days=9), Decimal(5))]
    tz = ZoneInfo("UTC")
    assert plans.forecast_meter_date(Decimal(6), still, today=at.date(), tz=tz) is None
    assert plans.forecast_meter_date(Decimal(6), still[:1], today=at.date(), tz=tz) is None
    assert plans.forecast_meter_date(Decimal(6), [], today=at.date(), tz=tz) is None


@given(st.integers(1, 1000), st.integers(0, 10**6), st.integers(0, 10**6))
def test_the_next_meter_due_value_counts_from_the_last_service(every, done_value, first):
    interval = Decimal(every)
    readings = [plans.Reading(datetime(2026, 1, 1, tzinfo=UTC), Decimal(first))]
    assert plans.next_meter_due_value(interval, None, readings) == first + interval
    done = plans.Last(date(2026, 2, 1), plans.DONE, done_value=Decimal(done_value))
    assert plans.next_meter_due_value(interval, done, readings) == done_value + interval
    skipped = plans.Last(date(2026, 2, 1), plans.SKIPPED, due_value=Decimal(done_value))
    assert plans.next_meter_due_value(interval, skipped, readings) == done_value + interval
    assert (
        plans.next_meter_due_value(interval, plans.Last(date(2026, 2, 1), plans.OPEN), []) is None
    )


@given(st.integers(1, 200), st.integers(2, 30), st.integers(1, 5000), st.integers(30, 400))
def test_a_meter_projection_is_increasing_and_inside_the_horizon(per_day, count, every, horizon):
    readings = _linear(datetime(2026, 1, 1, tzinfo=UTC), per_day, count)
    today = readings[-1].at.date()
    until = today + timedelta(days=horizon)
    found = list(
        plans.project_meter(
            Decimal(every), None, readings, today=today, until=until, tz=ZoneInfo("UTC")
        )
    )
    values = [v for _, v in found]
    assert values == sorted(set(values))
    assert all(today <= d <= until for d, _ in found)
    assert [d for d, _ in found] == sorted(d for d, _ in found)


# --- time zones -----------------------------------------------------------------------------


@given(
    days,
    st.sampled_from(DST_FREE),
    st.times(max_value=time(22, 0)),
    st.integers(15, 120),
)
def test_an_appointment_window_keeps_its_day_and_length_without_daylight_saving(
    due, zone, start, minutes
):
    tz = ZoneInfo(zone)
    end = (datetime.combine(due, start) + timedelta(minutes=minutes)).time()
    if end <= start:
        return
    window = plans.appointment_window(due, start, end, tz)
    assert window is not None
    begin, finish = window
    assert finish - begin == timedelta(minutes=minutes)
    assert begin.astimezone(tz).date() == due
    assert begin.astimezone(tz).time().replace(tzinfo=None) == start
    assert begin.utcoffset() == finish.utcoffset()


def test_no_window_without_both_ends():
    tz = ZoneInfo("Asia/Shanghai")
    assert plans.appointment_window(date(2026, 1, 1), time(9), None, tz) is None
    assert plans.appointment_window(date(2026, 1, 1), time(9), time(8), tz) is None


@pytest.mark.parametrize(
    ("due", "lead", "today", "expected"),
    [(date(2026, 5, 10), 7, date(2026, 5, 3), True),
     (date(2026, 5, 10), 7, date(2026, 5, 2), False),
     (date(2026, 5, 10), 0, date(2026, 6, 1), True)],
)  # fmt: skip
def test_an_occurrence_is_generated_its_lead_time_ahead(due, lead, today, expected):
    assert plans.is_due(due, lead_days=lead, today=today) is expected
