"""SLA clocks of work orders: targets counted in business time, paused while on hold. Pure.

A `Policy` gives, per priority and customer tier, a response target (until `accepted`) and a
resolution target (until `completed`), both counted in one named calendar ("24x7" or
"business"). A `Calendar` says when the clock runs: weekly ranges of local wall-clock time in an
IANA time zone, minus holidays, plus make-up working days (China's 调休: a Saturday worked in
exchange for a longer holiday, which uses `makeup_hours`). `week=None` means every day, all day,
except holidays if any are given (make-up days change nothing there).

Working time is built one local date at a time: each date's ranges are localised with zoneinfo
and converted to UTC, so DST changes only make a day longer or shorter, never break it. A range
runs from the first moment the clock shows its start until the first moment it shows its end:
a time that does not exist (spring forward) resolves forward to the instant the clocks jump, an
ambiguous one (fall back) to its first occurrence, and a range that spans the repeated hour
counts it twice, as real time. Everything returned is an aware datetime in UTC.

A clock is the business time since it started, minus the business time inside pauses (on hold,
waiting for the customer). `clock_due_at` says when it reaches a target, `clock_elapsed` how far
it has run, and `sla_state` turns the two into ok / at_risk / breached.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
# Days `add_business_time` looks ahead before giving up: ten years is far beyond any SLA target,
# and a calendar that runs dry (no weekly hours, the last make-up day behind us) must not hang.
MAX_SCAN_DAYS = 3660
_TIME = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$")

Ranges = tuple[tuple[int, int], ...]
NINE_TO_SIX: Ranges = ((540, 1080),)


@dataclass(frozen=True)
class Calendar:
    tz: str = "Asia/Shanghai"
    # Mon..Sun, each (start, end) in minutes after local midnight, sorted and not overlapping.
    week: tuple[Ranges, ...] | None = None
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    makeup_hours: Ranges = NINE_TO_SIX

    def __post_init__(self) -> None:
        # Lists and sets from a caller would make the calendar unhashable, and days are cached
        # by their ranges: store immutable copies.
        if self.week is not None:
            object.__setattr__(self, "week", tuple(_freeze(ranges) for ranges in self.week))
        object.__setattr__(self, "makeup_hours", _freeze(self.makeup_hours))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        _zone(self.tz)
        if self.week is not None:
            if len(self.week) != 7:
                raise ValueError("week needs 7 days, Monday first")
            for ranges in self.week:
                _check_ranges(ranges)
            if not any(self.week) and not self.workdays:
                # Time could never advance: every target would scan until MAX_SCAN_DAYS.
                raise ValueError("calendar has no working time")
        _check_ranges(self.makeup_hours)
        if not self.makeup_hours:
            raise ValueError("makeup_hours is empty")
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and working day: {sorted(both)}")

    @classmethod
    def always(cls, tz: str = "UTC") -> Calendar:
        return cls(tz=tz)

    @classmethod
    def from_config(
        cls,
        *,
        tz: str,
        working_hours: Mapping[str, Sequence[Sequence[str]]] | None,
        holidays: Iterable[date | str] = (),
        workdays: Iterable[date | str] = (),
        makeup_hours: Sequence[Sequence[str]] | None = None,
    ) -> Calendar:
        """From the stored shapes: `working_hours` as in `server.technicians.hours` (None for
        24x7), dates as `date` or ISO strings. Make-up days default to the hours most weekdays
        have, as a swapped Saturday is worked like an ordinary weekday. ValueError if invalid."""
        week = None if working_hours is None else _parse_week(working_hours)
        if makeup_hours is not None:
            makeup = _parse_ranges(makeup_hours)
        else:
            usual = Counter(ranges for ranges in week or () if ranges).most_common(1)
            makeup = usual[0][0] if usual else NINE_TO_SIX
        return cls(
            tz=tz,
            week=week,
            holidays=frozenset(_parse_date(d) for d in holidays),
            workdays=frozenset(_parse_date(d) for d in workdays),
            makeup_hours=makeup,
        )

    @property
    def is_24x7(self) -> bool:
        """True when business time is plain elapsed time (no weekly hours, no holidays)."""
        return self.week is None and not self.holidays

    def day_ranges(self, day: date) -> Ranges:
        """Working ranges of a local date, in minutes after local midnight."""
        if day in self.holidays:
            return ()
        if self.week is None:
            return ((0, MINUTES_PER_DAY),)
        if day in self.workdays:
            return self.makeup_hours
        return self.week[day.weekday()]


def add_business_time(cal: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant `duration` of working time after `start`, in UTC. For a positive duration it
    is inside working time or the very end of a working interval, never the start of the next."""
    _check_aware(start)
    if duration < timedelta(0):
        raise ValueError("negative duration")
    start = start.astimezone(UTC)
    if duration == timedelta(0) or cal.is_24x7:
        return start + duration
    remaining = duration
    first = _local_date(cal, start)
    for piece_start, piece_end in _pieces(cal, first, first + timedelta(days=MAX_SCAN_DAYS)):
        if piece_end <= start:
            continue
        piece_start = max(piece_start, start)
        span = piece_end - piece_start
        if remaining <= span:
            return piece_start + remaining
        remaining -= span
    raise ValueError(f"no {duration} of working time within {MAX_SCAN_DAYS} days of {start}")


def business_time_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end); zero if end <= start."""
    return sum((e - s for s, e in working_intervals(cal, start, end)), timedelta(0))


def working_intervals(
    cal: Calendar, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals clipped to [start, end), in UTC, in order; touching ones (a day that
    works until 24:00 and a next day from 00:00) come out as one."""
    _check_aware(start)
    _check_aware(end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return
    if cal.is_24x7:
        yield start, end
        return
    pending: tuple[datetime, datetime] | None = None
    for s, e in _pieces(cal, _local_date(cal, start), _local_date(cal, end)):
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        if pending is not None and s <= pending[1]:
            pending = (pending[0], max(pending[1], e))
            continue
        if pending is not None:
            yield pending
        pending = (s, e)
    if pending is not None:
        yield pending


def is_working_time(cal: Calendar, at: datetime) -> bool:
    return any(True for _ in working_intervals(cal, at, at + timedelta(microseconds=1)))


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None  # None: still paused


def clock_due_at(
    cal: Calendar, started_at: datetime, target: timedelta, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """When the clock reaches `target`, in UTC; None while it is paused short of the target.
    A target reached before a pause began stays reached: pausing does not undo a breach."""
    _check_aware(started_at)
    if target < timedelta(0):
        raise ValueError("negative target")
    cursor, remaining = started_at.astimezone(UTC), target
    for pause_start, pause_end in _merge_pauses(cursor, pauses):
        available = business_time_between(cal, cursor, pause_start)
        if remaining <= available:
            return add_business_time(cal, cursor, remaining)
        if pause_end is None:
            return None
        cursor, remaining = pause_end, remaining - available
    return add_business_time(cal, cursor, remaining)


def clock_elapsed(
    cal: Calendar, started_at: datetime, now: datetime, pauses: Sequence[Pause] = ()
) -> timedelta:
    """Business time from `started_at` to `now` outside pauses; an open pause runs to `now`."""
    _check_aware(started_at)
    _check_aware(now)
    started_at, now = started_at.astimezone(UTC), now.astimezone(UTC)
    elapsed = business_time_between(cal, started_at, now)
    for pause_start, pause_end in _merge_pauses(started_at, pauses):
        if pause_start >= now:
            break
        stop = now if pause_end is None else min(pause_end, now)
        elapsed -= business_time_between(cal, pause_start, stop)
    return elapsed


SLA_STATES = ("ok", "at_risk", "breached")


def sla_state(elapsed: timedelta, target: timedelta, warn_share: float = 0.75) -> str:
    if target <= timedelta(0):
        raise ValueError("target must be positive")
    if not 0 < warn_share <= 1:
        raise ValueError("warn_share must be in (0, 1]")
    if elapsed >= target:
        return "breached"
    if elapsed >= target * warn_share:
        return "at_risk"
    return "ok"


CALENDAR_24X7 = "24x7"
CALENDAR_BUSINESS = "business"
# A business day as a target unit: the 8 working hours of the usual 09:00-12:00, 13:00-18:00
# (counting a calendar's own day length instead would make "1 day" mean 9 h in one org, 8 h in
# another).
BUSINESS_DAY = timedelta(hours=8)


@dataclass(frozen=True)
class Policy:
    priority: str  # urgent | high | medium | low
    tier: str | None  # None: any tier without a policy of its own
    response: timedelta  # until `accepted`
    resolve: timedelta  # until `completed`
    calendar: str = CALENDAR_24X7


def pick_policy(policies: Iterable[Policy], *, priority: str, tier: str) -> Policy | None:
    """The policy for exactly (priority, tier), else the tier-less one for the priority."""
    fallback = None
    for policy in policies:
        if policy.priority != priority:
            continue
        if policy.tier == tier:
            return policy
        if policy.tier is None and fallback is None:
            fallback = policy
    return fallback


_H = timedelta(hours=1)
# Standard (any tier):                         VIP:
#   urgent  1 h / 4 h, 24x7                      30 min / 4 h, 24x7
#   high    4 h / 1 business day (8 h)           2 h / 1 business day
#   medium  1 business day / 3 business days     4 h / 2 business days
#   low     2 business days / 10 business days   1 business day / 5 business days
# Urgent means something is down or unsafe, so its clock runs nights and weekends; the rest wait
# for office hours. VIP halves every response; resolution is tightened only where the standard
# figure is mostly queueing, since for urgent and high work the repair itself is the floor.
DEFAULT_POLICIES: tuple[Policy, ...] = (
    Policy("urgent", None, 1 * _H, 4 * _H, CALENDAR_24X7),
    Policy("high", None, 4 * _H, BUSINESS_DAY, CALENDAR_BUSINESS),
    Policy("medium", None, BUSINESS_DAY, 3 * BUSINESS_DAY, CALENDAR_BUSINESS),
    Policy("low", None, 2 * BUSINESS_DAY, 10 * BUSINESS_DAY, CALENDAR_BUSINESS),
    Policy("urgent", "vip", _H / 2, 4 * _H, CALENDAR_24X7),
    Policy("high", "vip", 2 * _H, BUSINESS_DAY, CALENDAR_BUSINESS),
    Policy("medium", "vip", 4 * _H, 2 * BUSINESS_DAY, CALENDAR_BUSINESS),
    Policy("low", "vip", BUSINESS_DAY, 5 * BUSINESS_DAY, CALENDAR_BUSINESS),
)


def _pieces(cal: Calendar, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals of the local dates first..last, in UTC, in order. Not merged across
    midnight: `add_business_time` must not look ahead to a day it may never need."""
    day = first
    while day <= last:
        yield from _day_pieces(cal.tz, day, cal.day_ranges(day))
        day += timedelta(days=1)


# Clocks of many open work orders cross the same few weeks over and over: keep converted days.
@functools.lru_cache(maxsize=8192)
def _day_pieces(tz: str, day: date, ranges: Ranges) -> tuple[tuple[datetime, datetime], ...]:
    zone = _zone(tz)
    midnight = datetime.combine(day, time())
    pieces: list[tuple[datetime, datetime]] = []
    for start, end in ranges:
        s = _wall_to_utc(zone, midnight + timedelta(minutes=start))
        e = _wall_to_utc(zone, midnight + timedelta(minutes=end))
        if s >= e:
            continue  # wholly inside a DST gap
        if pieces and s <= pieces[-1][1]:
            pieces[-1] = (pieces[-1][0], max(pieces[-1][1], e))  # touching once the gap is gone
        else:
            pieces.append((s, e))
    return tuple(pieces)


def _wall_to_utc(zone: ZoneInfo, wall: datetime) -> datetime:
    """A naive local wall time as a UTC instant; monotonic in `wall`, which the interval
    arithmetic relies on (plain fold=0 would map a time in a gap past later wall times)."""
    # ZoneInfo always has an offset for a naive time; the `or` only satisfies the type.
    first_offset = zone.utcoffset(wall) or timedelta(0)
    second_offset = zone.utcoffset(wall.replace(fold=1)) or timedelta(0)
    first = (wall - first_offset).replace(tzinfo=UTC)
    if first_offset == second_offset:
        return first
    second = (wall - second_offset).replace(tzinfo=UTC)
    if first <= second:
        return first  # ambiguous: its first occurrence
    # In a gap: the clocks jumped somewhere in (second, first]; find the instant to the second.
    lo, hi = int(second.timestamp()), int(first.timestamp())
    before = datetime.fromtimestamp(lo, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def _merge_pauses(
    started_at: datetime, pauses: Sequence[Pause]
) -> list[tuple[datetime, datetime | None]]:
    """Pauses clipped to start no earlier than the clock, sorted, overlaps merged, in UTC; an
    open pause swallows everything after it."""
    spans: list[tuple[datetime, datetime | None]] = []
    for pause in pauses:
        _check_aware(pause.start)
        end = None
        if pause.end is not None:
            _check_aware(pause.end)
            if pause.end < pause.start:
                raise ValueError(f"pause ends before it starts: {pause}")
            end = pause.end.astimezone(UTC)
            if end <= started_at:
                continue
        spans.append((max(pause.start.astimezone(UTC), started_at), end))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[datetime, datetime | None]] = []
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None:
                break
            if start <= last_end:
                merged[-1] = (last_start, None if end is None else max(last_end, end))
                continue
        merged.append((start, end))
    return merged


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown time zone: {tz!r}") from exc


def _local_date(cal: Calendar, at: datetime) -> date:
    return at.astimezone(_zone(cal.tz)).date()


def _check_aware(value: datetime) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ValueError(f"need a timezone-aware datetime, got {value!r}")


def _freeze(ranges: Iterable[Iterable[int]]) -> Ranges:
    frozen = []
    for item in ranges:
        start, end = item
        frozen.append((start, end))
    return tuple(frozen)


def _check_ranges(ranges: Ranges) -> None:
    previous_end = 0
    for start, end in ranges:
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError(f"range bounds must be minutes: {ranges}")
        if not 0 <= start < end <= MINUTES_PER_DAY or start < previous_end:
            raise ValueError(f"ranges must be sorted, not overlap, within a day: {ranges}")
        previous_end = end


def _parse_week(working_hours: Mapping[str, Sequence[Sequence[str]]]) -> tuple[Ranges, ...]:
    unknown = set(working_hours) - set(DAYS)
    if unknown:
        raise ValueError(f"unknown days: {sorted(unknown)}")
    return tuple(_parse_ranges(working_hours.get(day, ())) for day in DAYS)


def _parse_ranges(ranges: Sequence[Sequence[str]]) -> Ranges:
    if isinstance(ranges, str):
        raise ValueError(f"not a list of ranges: {ranges!r}")
    parsed = []
    for item in ranges:
        if isinstance(item, str) or len(item) != 2:
            raise ValueError(f"not a [start, end] range: {item!r}")
        parsed.append((_to_minutes(item[0]), _to_minutes(item[1])))
    result = tuple(sorted(parsed))
    _check_ranges(result)
    return result


def _to_minutes(value: str) -> int:
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not an HH:MM time: {value!r}")
    if match.group(1) is None:
        return MINUTES_PER_DAY
    return int(match.group(1)) * 60 + int(match.group(2))


def _parse_date(value: date | str) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"a date, not a datetime: {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"not a date: {value!r}")
