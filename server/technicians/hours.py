"""A technician's weekly working hours: checked, normalised, and read as minutes. Pure.

The shape is `{"mon": [["08:00", "12:00"], ["13:00", "17:00"]], ..., "sun": []}`: per weekday,
ranges of local time (the organisation's time zone) that start before they end and do not
overlap. "24:00" may end a range. A night shift across midnight is two ranges on two days.
Error messages are message keys of `server.i18n`, nested like a marshmallow error tree.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_RANGES_PER_DAY = 6
_TIME = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")

DEFAULT_WORKING_HOURS: dict[str, list[list[str]]] = {
    **{day: [["09:00", "18:00"]] for day in DAYS[:5]},
    "sat": [],
    "sun": [],
}


class WorkingHoursError(ValueError):
    def __init__(self, errors: dict[Any, Any] | list[str]) -> None:
        super().__init__("invalid working hours")
        self.errors = errors


def default_working_hours() -> dict[str, list[list[str]]]:
    return {day: [list(r) for r in ranges] for day, ranges in DEFAULT_WORKING_HOURS.items()}


def to_minutes(value: str) -> int:
    match = _TIME.match(value)
    if match is None:
        raise ValueError(value)
    hours, minutes = (match.group(1), match.group(2)) if match.group(1) else ("24", "00")
    return int(hours) * 60 + int(minutes)


def normalise_week(value: object) -> dict[str, list[list[str]]]:
    """Every day present (missing days have no hours), ranges sorted; or WorkingHoursError."""
    if not isinstance(value, dict):
        raise WorkingHoursError(["working_hours_format"])
    errors: dict[str, Any] = {}
    week: dict[str, list[list[str]]] = {}
    for day in value:
        if day not in DAYS:
            errors[str(day)] = ["unknown_day"]
    for day in DAYS:
        ranges = value.get(day, [])
        try:
            week[day] = _normalise_day(ranges)
        except WorkingHoursError as exc:
            errors[day] = exc.errors
    if errors:
        raise WorkingHoursError(errors)
    return week


def _normalise_day(ranges: object) -> list[list[str]]:
    if not isinstance(ranges, list) or len(ranges) > MAX_RANGES_PER_DAY:
        raise WorkingHoursError(["working_hours_format"])
    errors: dict[int, list[str]] = {}
    spans: list[tuple[int, int, list[str]]] = []
    for index, item in enumerate(ranges):
        if not (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(t, str) and _TIME.match(t) for t in item)
        ):
            errors[index] = ["shift_format"]
            continue
        start, end = to_minutes(item[0]), to_minutes(item[1])
        if start >= end:
            errors[index] = ["shift_end_before_start"]
            continue
        spans.append((start, end, [item[0], item[1]]))
    if errors:
        raise WorkingHoursError(errors)
    spans.sort()
    for (_, previous_end, _), (start, _, _) in itertools.pairwise(spans):
        if start < previous_end:
            raise WorkingHoursError(["shift_overlap"])
    return [r for _, _, r in spans]


def day_ranges(week: dict[str, list[list[str]]], weekday: int) -> list[tuple[int, int]]:
    """(start, end) in minutes after local midnight, for `weekday` 0 = Monday as in
    `date.weekday()`."""
    return [(to_minutes(start), to_minutes(end)) for start, end in week.get(DAYS[weekday], [])]
