"""Weekly working hours: checked and normalised without a database."""

from __future__ import annotations

import pytest

from server.technicians.hours import (
    DAYS,
    WorkingHoursError,
    day_ranges,
    default_working_hours,
    normalise_week,
    to_minutes,
)


def test_missing_days_have_no_hours_and_ranges_are_sorted():
    week = normalise_week({"wed": [["13:00", "17:30"], ["08:30", "12:00"]]})
    assert list(week) == list(DAYS)
    assert week["wed"] == [["08:30", "12:00"], ["13:00", "17:30"]]
    assert week["mon"] == []


def test_an_empty_week_is_allowed():
    assert normalise_week({}) == {day: [] for day in DAYS}


def test_default_is_a_fresh_copy():
    first = default_working_hours()
    first["mon"].append(["20:00", "21:00"])
    assert default_working_hours()["mon"] == [["09:00", "18:00"]]


@pytest.mark.parametrize(
    ("week", "errors"),
    [
        (None, ["working_hours_format"]),
        ({"mon": None}, {"mon": ["working_hours_format"]}),
        ({"mon": [["08:00", "09:00"]] * 7}, {"mon": ["working_hours_format"]}),
        ({"mon": ["08:00-09:00"]}, {"mon": {0: ["shift_format"]}}),
        ({"mon": [["08:00", 9]]}, {"mon": {0: ["shift_format"]}}),
        ({"mon": [["24:00", "24:00"]]}, {"mon": {0: ["shift_end_before_start"]}}),
        ({"mon": [["08:00", "23:60"]]}, {"mon": {0: ["shift_format"]}}),
        ({"mon": [["8:00", "17:00"]]}, {"mon": {0: ["shift_format"]}}),
        ({"mon": [["08:00", "17:00"], ["16:59", "18:00"]]}, {"mon": ["shift_overlap"]}),
        ({"mon": [["08:00", "17:00"], ["09:00", "10:00"]]}, {"mon": ["shift_overlap"]}),
        (
            {"Mon": [], "sun": [["18:00", "06:00"]]},
            {"Mon": ["unknown_day"], "sun": {0: ["shift_end_before_start"]}},
        ),
    ],
)
def test_invalid_weeks_say_where(week, errors):
    with pytest.raises(WorkingHoursError) as caught:
        normalise_week(week)
    assert caught.value.errors == errors


def test_ranges_in_minutes_by_weekday():
    week = normalise_week({"mon": [["08:00", "12:00"], ["13:00", "24:00"]]})
    assert day_ranges(week, 0) == [(480, 720), (780, 1440)]
    assert day_ranges(week, 6) == []
    assert to_minutes("00:00") == 0
    with pytest.raises(ValueError, match="25:00"):
        to_minutes("25:00")
