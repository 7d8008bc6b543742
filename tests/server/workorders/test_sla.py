"""SLA clocks: business time over calendars, pauses, states and policies, without a database.

Examples pin what a dispatcher would check by hand on a Shanghai office calendar; properties
check the arithmetic over random calendars and time zones with DST (a 30-minute one and one that
jumps at midnight among them), partly against an independent minute-by-minute oracle.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.workorders.sla import (
    BUSINESS_DAY,
    DEFAULT_POLICIES,
    SLA_STATES,
    Calendar,
    Pause,
    Policy,
    add_business_time,
    business_time_between,
    clock_due_at,
    clock_elapsed,
    is_working_time,
    pick_policy,
    sla_state,
    working_intervals,
)

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
US = timedelta(microseconds=1)
OFFICE_HOURS = {day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed")}
OFFICE_HOURS |= {"thu": OFFICE_HOURS["mon"], "fri": OFFICE_HOURS["mon"], "sat": [], "sun": []}
NATIONAL_DAY = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]  # Thu 1st .. Wed 7th
MAKEUP_SATURDAY = date(2026, 10, 10)
SHANGHAI = Calendar.from_config(
    tz="Asia/Shanghai",
    working_hours=OFFICE_HOURS,
    holidays=NATIONAL_DAY,
    workdays=[MAKEUP_SATURDAY.isoformat()],
)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def add(start: datetime, duration: timedelta, cal: Calendar = SHANGHAI) -> datetime:
    return add_business_time(cal, start, duration)


# --- calendar arithmetic, by example ------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        pytest.param(sh(2026, 9, 25, 17), 2 * H, sh(2026, 9, 28, 10), id="friday-over-weekend"),
        pytest.param(sh(2026, 9, 28, 11), 2 * H, sh(2026, 9, 28, 14), id="across-lunch"),
        pytest.param(sh(2026, 9, 28, 12, 30), 30 * MIN, sh(2026, 9, 28, 13, 30), id="from-lunch"),
        pytest.param(sh(2026, 9, 27, 15), H, sh(2026, 9, 28, 10), id="from-sunday"),
        pytest.param(sh(2026, 9, 28, 7), H, sh(2026, 9, 28, 10), id="before-opening"),
        pytest.param(sh(2026, 9, 28, 10), 8 * H, sh(2026, 9, 29, 10), id="a-full-day"),
        pytest.param(sh(2026, 9, 28, 9), 8 * H, sh(2026, 9, 28, 18), id="ends-at-closing"),
        pytest.param(sh(2026, 9, 30, 17), 2 * H, sh(2026, 10, 8, 10), id="over-national-day"),
        pytest.param(sh(2026, 10, 3, 10), H, sh(2026, 10, 8, 10), id="from-inside-holiday"),
        pytest.param(sh(2026, 10, 9, 17), 2 * H, sh(2026, 10, 10, 10), id="makeup-saturday"),
        pytest.param(sh(2026, 10, 10, 17), 2 * H, sh(2026, 10, 12, 10), id="then-sunday-off"),
    ],
)
def test_business_time_on_the_shanghai_office_calendar(start, duration, due):
    result = add(start, duration)
    assert result == due
    assert result.tzinfo is UTC
    assert business_time_between(SHANGHAI, start, result) == duration


def test_the_makeup_saturday_counts_only_because_it_is_listed():
    without = Calendar.from_config(
        tz="Asia/Shanghai", working_hours=OFFICE_HOURS, holidays=NATIONAL_DAY
    )
    assert add(sh(2026, 10, 9, 17), 2 * H, without) == sh(2026, 10, 12, 10)
    assert business_time_between(SHANGHAI, sh(2026, 10, 9), sh(2026, 10, 12)) == 16 * H
    assert business_time_between(without, sh(2026, 10, 9), sh(2026, 10, 12)) == 8 * H


def test_makeup_days_work_the_usual_weekday_hours_unless_told_otherwise():
    assert SHANGHAI.makeup_hours == ((540, 720), (780, 1080))
    assert not is_working_time(SHANGHAI, sh(2026, 10, 10, 12, 30))
    custom = Calendar.from_config(
        tz="Asia/Shanghai",
        working_hours=OFFICE_HOURS,
        workdays=[MAKEUP_SATURDAY],
        makeup_hours=[["10:00", "14:00"]],
    )
    assert business_time_between(custom, sh(2026, 10, 10), sh(2026, 10, 11)) == 4 * H


def test_thirty_business_days_jump_days_and_land_exactly():
    # 2026-11-02 is a Monday; 30 eight-hour days later is the Friday of the sixth week.
    assert add(sh(2026, 11, 2, 9), 30 * BUSINESS_DAY) == sh(2026, 12, 11, 18)


def test_a_whole_week_counts_five_days():
    assert business_time_between(SHANGHAI, sh(2026, 9, 14), sh(2026, 9, 21)) == 40 * H
    assert business_time_between(SHANGHAI, sh(2026, 9, 21), sh(2026, 9, 14)) == timedelta(0)


def test_working_intervals_are_clipped_ordered_and_in_utc():
    intervals = list(working_intervals(SHANGHAI, sh(2026, 9, 25, 10), sh(2026, 9, 28, 12)))
    assert intervals == [
        (sh(2026, 9, 25, 10), sh(2026, 9, 25, 12)),
        (sh(2026, 9, 25, 13), sh(2026, 9, 25, 18)),
        (sh(2026, 9, 28, 9), sh(2026, 9, 28, 12)),
    ]
    assert all(s.tzinfo is UTC and e.tzinfo is UTC for s, e in intervals)


def test_is_working_time_uses_half_open_ranges():
    assert is_working_time(SHANGHAI, sh(2026, 9, 28, 9))
    assert is_working_time(SHANGHAI, sh(2026, 9, 28, 12) - US)
    assert not is_working_time(SHANGHAI, sh(2026, 9, 28, 12))
    assert not is_working_time(SHANGHAI, sh(2026, 9, 28, 8, 59))
    assert not is_working_time(SHANGHAI, sh(2026, 10, 2, 10))  # National Day
    assert is_working_time(SHANGHAI, sh(2026, 10, 10, 10))  # make-up Saturday


def test_24x7_is_plain_arithmetic():
    cal = Calendar.always()
    assert cal.is_24x7
    start = datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    # Python adds to an aware datetime on the wall clock; across DST only UTC adds real hours.
    assert start + 30 * H != start.astimezone(UTC) + 30 * H
    assert add(start, 30 * H, cal) == start.astimezone(UTC) + 30 * H
    assert business_time_between(cal, start, start.astimezone(UTC) + 100 * H) == 100 * H
    assert is_working_time(cal, start)
    assert Calendar.from_config(tz="UTC", working_hours=None).is_24x7


def test_a_round_the_clock_calendar_still_closes_on_its_holidays():
    cal = Calendar.from_config(tz="Asia/Shanghai", working_hours=None, holidays=["2026-10-01"])
    assert not cal.is_24x7
    assert add(sh(2026, 9, 30, 23), 2 * H, cal) == sh(2026, 10, 2, 1)


def test_zero_duration_is_the_start_in_utc():
    start = sh(2026, 9, 27, 3)  # a Sunday night: not working time, yet nothing to add
    result = add(start, timedelta(0))
    assert result == start
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: add(sh(2026, 9, 28, 9), -US), id="negative-duration"),
        pytest.param(lambda: add(datetime(2026, 9, 28, 9), H), id="naive-start"),  # noqa: DTZ001
        pytest.param(
            lambda: business_time_between(SHANGHAI, sh(2026, 9, 28), datetime(2026, 9, 29)),  # noqa: DTZ001
            id="naive-end",
        ),
        pytest.param(
            lambda: is_working_time(SHANGHAI, datetime(2026, 9, 28, 10)),  # noqa: DTZ001
            id="naive-instant",
        ),
    ],
)
def test_bad_arguments_raise_value_error(call: Callable[[], object]):
    with pytest.raises(ValueError):  # noqa: PT011
        call()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "time zone"),
        ({"tz": "../etc/passwd"}, "time zone"),
        ({"working_hours": {"mon": [["09:00", "25:00"]]}}, "HH:MM"),
        ({"working_hours": {"mon": [["9:00", "12:00"]]}}, "HH:MM"),
        ({"working_hours": {"mon": [["24:00", "24:00"]]}}, "sorted"),
        ({"working_hours": {"mon": [["12:00", "09:00"]]}}, "sorted"),
        ({"working_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "sorted"),
        ({"working_hours": {"mon": ["09:00-12:00"]}}, "range"),
        ({"working_hours": {"mon": "09:00"}}, "list of ranges"),
        ({"working_hours": {"monday": [["09:00", "12:00"]]}}, "unknown days"),
        ({"working_hours": {}}, "no working time"),
        ({"working_hours": {day: [] for day in ("mon", "tue", "sat")}}, "no working time"),
        ({"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]}, "both"),
        ({"holidays": ["2026-13-01"]}, "month"),
        ({"holidays": [datetime(2026, 10, 1, tzinfo=UTC)]}, "not a datetime"),
    ],
)
def test_from_config_rejects_bad_input(kwargs, message):
    config = {"tz": "Asia/Shanghai", "working_hours": OFFICE_HOURS, **kwargs}
    with pytest.raises(ValueError, match=message):
        Calendar.from_config(**config)


def test_a_calendar_built_from_lists_and_sets_is_still_hashable_and_checked():
    cal = Calendar(tz="UTC", week=[[[540, 1080]]] * 7, holidays={date(2026, 1, 1)})  # type: ignore[arg-type]
    assert cal == Calendar(
        tz="UTC", week=(((540, 1080),),) * 7, holidays=frozenset([date(2026, 1, 1)])
    )
    assert hash(cal)
    for week in ([((540, 1080),)] * 6, [(("09:00", "18:00"),)] * 7, [((540, 1080, 1),)] * 7):
        with pytest.raises(ValueError):  # noqa: PT011
            Calendar(tz="UTC", week=week)  # type: ignore[arg-type]


def test_a_week_without_hours_is_fine_when_makeup_days_give_time():
    cal = Calendar.from_config(tz="UTC", working_hours={}, workdays=[date(2026, 1, 3)])
    assert cal.makeup_hours == ((540, 1080),)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert add(start, H, cal) == datetime(2026, 1, 3, 10, tzinfo=UTC)
    # ... but once the last make-up day is behind, time can never advance: fail, do not hang.
    with pytest.raises(ValueError, match="within 3660 days"):
        add(start, 10 * H, cal)


def test_24_00_ends_a_range_and_touching_days_make_one_interval():
    cal = Calendar.from_config(
        tz="UTC", working_hours={"mon": [["20:00", "24:00"]], "tue": [["00:00", "02:00"]]}
    )
    monday = datetime(2026, 9, 28, tzinfo=UTC)
    assert list(working_intervals(cal, monday, monday + 48 * H)) == [
        (monday + 20 * H, monday + 26 * H)
    ]
    assert add(monday + 21 * H, 3 * H, cal) == monday + 24 * H  # the end, not the day after


# --- DST ----------------------------------------------------------------------------------------


def test_dst_days_are_shorter_and_longer_but_office_hours_are_not():
    ny = ZoneInfo("America/New_York")
    all_day = Calendar(tz="America/New_York", week=(((0, 1440),),) * 7)
    office = Calendar(tz="America/New_York", week=(((540, 1020),),) * 7)
    spring = datetime(2026, 3, 8, tzinfo=ny)
    autumn = datetime(2026, 11, 1, tzinfo=ny)
    assert business_time_between(all_day, spring, datetime(2026, 3, 9, tzinfo=ny)) == 23 * H
    assert business_time_between(all_day, autumn, datetime(2026, 11, 2, tzinfo=ny)) == 25 * H
    assert business_time_between(office, spring, datetime(2026, 3, 9, tzinfo=ny)) == 8 * H
    assert add(datetime(2026, 3, 7, 16, tzinfo=ny), 2 * H, office) == datetime(
        2026, 3, 8, 10, tzinfo=ny
    )


def test_a_range_starting_in_the_spring_gap_starts_when_the_clocks_jump():
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST, at 01:00 UTC.
    cal = Calendar(tz="Europe/Berlin", week=(((150, 240),),) * 7)
    day = datetime(2026, 3, 29, tzinfo=berlin)
    assert list(working_intervals(cal, day, day + 12 * H)) == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))
    ]
    # A range wholly inside the gap is no time at all.
    gap_only = Calendar(tz="Europe/Berlin", week=(((130, 170),),) * 7)
    assert business_time_between(gap_only, day, day + 12 * H) == timedelta(0)


def test_the_repeated_autumn_hour_counts_twice():
    berlin = ZoneInfo("Europe/Berlin")
    cal = Calendar(tz="Europe/Berlin", week=(((120, 180),),) * 7)
    day = datetime(2026, 10, 25, tzinfo=berlin)
    assert business_time_between(cal, day, day + 12 * H) == 2 * H


def test_a_range_runs_from_the_first_time_the_clock_shows_its_start_to_its_end():
    ny = ZoneInfo("America/New_York")
    # 2026-11-01: 02:00 EDT goes back to 01:00 EST, so 01:00-02:00 is shown twice.
    day = datetime(2026, 11, 1, tzinfo=ny)
    until_1_30 = Calendar(tz="America/New_York", week=(((0, 90),),) * 7)
    from_1_30 = Calendar(tz="America/New_York", week=(((90, 180),),) * 7)
    # Ends the first time the clock shows 01:30, not again when it shows it the second time.
    assert business_time_between(until_1_30, day, day + 24 * H) == 90 * MIN
    # Once begun, a range does not stop because the clock went back.
    assert business_time_between(from_1_30, day, day + 24 * H) == 150 * MIN


# --- pauses -------------------------------------------------------------------------------------

MONDAY_9 = sh(2026, 9, 14, 9)


def test_without_pauses_the_clock_is_business_time():
    assert clock_due_at(SHANGHAI, MONDAY_9, 16 * H) == sh(2026, 9, 15, 18)
    assert clock_elapsed(SHANGHAI, MONDAY_9, sh(2026, 9, 15, 10)) == 9 * H
    assert clock_elapsed(SHANGHAI, MONDAY_9, MONDAY_9 - H) == timedelta(0)


def test_a_closed_pause_pushes_the_due_time_by_the_business_time_paused():
    pause = Pause(sh(2026, 9, 14, 10), sh(2026, 9, 15, 10))
    paused = business_time_between(SHANGHAI, sh(2026, 9, 14, 10), sh(2026, 9, 15, 10))
    assert paused == 8 * H
    due = clock_due_at(SHANGHAI, MONDAY_9, 16 * H, [pause])
    assert due == add(sh(2026, 9, 15, 18), paused) == sh(2026, 9, 16, 18)
    assert clock_elapsed(SHANGHAI, MONDAY_9, due, [pause]) == 16 * H


def test_an_open_pause_stops_the_clock():
    pause = Pause(sh(2026, 9, 14, 10))
    assert clock_due_at(SHANGHAI, MONDAY_9, 16 * H, [pause]) is None
    assert clock_elapsed(SHANGHAI, MONDAY_9, sh(2026, 9, 30, 12), [pause]) == H


def test_pausing_after_a_breach_does_not_undo_it():
    due = sh(2026, 9, 14, 11)
    assert clock_due_at(SHANGHAI, MONDAY_9, 2 * H, [Pause(sh(2026, 9, 14, 15))]) == due
    assert clock_due_at(SHANGHAI, MONDAY_9, 2 * H, [Pause(due)]) == due  # reached as it paused
    closed = Pause(sh(2026, 9, 14, 15), sh(2026, 9, 16, 9))
    assert clock_due_at(SHANGHAI, MONDAY_9, 2 * H, [closed]) == due


def test_overlapping_unsorted_pauses_are_merged():
    pauses = [
        Pause(sh(2026, 9, 14, 11), sh(2026, 9, 14, 14)),
        Pause(sh(2026, 9, 14, 10), sh(2026, 9, 14, 12)),
        Pause(sh(2026, 9, 14, 10, 30), sh(2026, 9, 14, 11)),
    ]
    # Merged: Mon 10:00-14:00, which holds 3 business hours (lunch is not business time).
    assert clock_due_at(SHANGHAI, MONDAY_9, 8 * H, pauses) == sh(2026, 9, 15, 12)
    assert clock_elapsed(SHANGHAI, MONDAY_9, sh(2026, 9, 14, 18), pauses) == 5 * H


def test_a_pause_opened_while_another_runs_keeps_the_clock_stopped():
    pauses = [Pause(sh(2026, 9, 14, 10), sh(2026, 9, 14, 15)), Pause(sh(2026, 9, 14, 11))]
    assert clock_due_at(SHANGHAI, MONDAY_9, 16 * H, pauses) is None
    assert clock_elapsed(SHANGHAI, MONDAY_9, sh(2026, 9, 20), pauses) == H


def test_a_pause_from_before_the_start_only_counts_from_the_start():
    pauses = [
        Pause(sh(2026, 9, 13, 10), sh(2026, 9, 14, 10)),  # since Sunday: Mon 09-10 paused
        Pause(sh(2026, 9, 10, 10), sh(2026, 9, 11, 10)),  # wholly before: ignored
    ]
    assert clock_due_at(SHANGHAI, MONDAY_9, H, pauses) == sh(2026, 9, 14, 11)
    assert clock_elapsed(SHANGHAI, MONDAY_9, sh(2026, 9, 14, 12), pauses) == 2 * H


def test_a_pause_that_ends_before_it_starts_is_an_error():
    with pytest.raises(ValueError, match="ends before"):
        clock_due_at(SHANGHAI, MONDAY_9, H, [Pause(sh(2026, 9, 14, 11), sh(2026, 9, 14, 10))])


# --- states and policies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        (timedelta(0), "ok"),
        (3 * H - US, "ok"),
        (3 * H, "at_risk"),
        (4 * H - US, "at_risk"),
        (4 * H, "breached"),
        (40 * H, "breached"),
    ],
)
def test_sla_state_thresholds_are_inclusive(elapsed, state):
    assert sla_state(elapsed, 4 * H) == state
    assert state in SLA_STATES


def test_sla_state_with_another_warning_share_and_bad_targets():
    assert sla_state(5 * H, 10 * H, warn_share=0.5) == "at_risk"
    assert sla_state(5 * H - US, 10 * H, warn_share=0.5) == "ok"
    with pytest.raises(ValueError, match="positive"):
        sla_state(H, timedelta(0))
    with pytest.raises(ValueError, match="warn_share"):
        sla_state(H, 2 * H, warn_share=1.5)


def test_pick_policy_prefers_the_exact_tier_then_the_tierless_one():
    general = Policy("high", None, 4 * H, 8 * H)
    vip = Policy("high", "vip", 2 * H, 8 * H)
    other = Policy("low", "vip", 2 * H, 8 * H)
    assert pick_policy([general, vip, other], priority="high", tier="vip") is vip
    assert pick_policy([general, vip, other], priority="high", tier="standard") is general
    assert pick_policy([vip, other], priority="high", tier="standard") is None
    assert pick_policy([general, vip], priority="medium", tier="vip") is None
    assert pick_policy(iter([vip, general]), priority="high", tier="vip") is vip


def test_default_policies_cover_every_priority_and_vip_is_never_looser():
    for priority in ("urgent", "high", "medium", "low"):
        standard = pick_policy(DEFAULT_POLICIES, priority=priority, tier="standard")
        vip = pick_policy(DEFAULT_POLICIES, priority=priority, tier="vip")
        assert standard is not None
        assert vip is not None
        assert standard.tier is None
        assert vip.tier == "vip"
        assert timedelta(0) < standard.response < standard.resolve
        assert vip.response < standard.response
        assert vip.resolve <= standard.resolve
        assert vip.calendar == standard.calendar
    assert {p.calendar for p in DEFAULT_POLICIES} == {"24x7", "business"}
    urgent = pick_policy(DEFAULT_POLICIES, priority="urgent", tier="standard")
    assert urgent == Policy("urgent", None, H, 4 * H, "24x7")


# --- properties ---------------------------------------------------------------------------------

# DST in Europe and America; Lord Howe shifts by 30 minutes; Santiago jumps at midnight.
ZONES = (
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "UTC",
)
DST_DAYS = {
    "Europe/Berlin": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Lord_Howe": (date(2026, 4, 5), date(2026, 10, 4)),
    "America/Santiago": (date(2026, 4, 5), date(2026, 9, 6)),
}
# Minutes around the usual DST jumps, so that ranges begin and end in gaps and repeats.
NEAR_DST = (0, 60, 90, 120, 130, 150, 180, 200, 240, 1380, 1440)
# Strategies built once: drawing from one built per example costs Hypothesis several seconds.
CUTS = st.lists(st.integers(-len(NEAR_DST), 1440), max_size=6)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted({NEAR_DST[m] if m < 0 else m for m in draw(CUTS)})
    return tuple(zip(cuts[::2], cuts[1::2], strict=False))


@st.composite
def starts(draw: st.DrawFn) -> datetime:
    """Aware, in one of ZONES; half the time in the three days before a DST change."""
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    if zone.key in DST_DAYS and draw(st.booleans()):
        jump = DST_DAYS[zone.key][draw(st.integers(0, 1))]
        naive = datetime.combine(jump, datetime.min.time()) - draw(st.integers(0, 4320)) * MIN
    else:
        naive = draw(st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)))  # noqa: DTZ001
    return naive.replace(tzinfo=zone)


@st.composite
def calendars_and_starts(draw: st.DrawFn) -> tuple[Calendar, datetime]:
    start = draw(starts())
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo)
    tz = zone.key
    if draw(st.integers(0, 9)) == 0:
        week = None
    else:
        # A few kinds of day, dealt out over the week: cheaper to draw than seven free days.
        kinds = [(), *draw(st.lists(day_ranges(), min_size=1, max_size=3))]
        week = tuple(kinds[draw(st.integers(0, 3)) % len(kinds)] for _ in range(7))
        if not any(week):
            week = (((540, 1080),), *week[1:])
    local_day = start.astimezone(zone).date()
    offsets = draw(st.lists(st.integers(-2, 70), max_size=12, unique=True))
    split = draw(st.integers(0, 12)) % (len(offsets) + 1)
    holidays = frozenset(local_day + timedelta(days=k) for k in offsets[:split])
    workdays = frozenset(local_day + timedelta(days=k) for k in offsets[split:])
    makeup = draw(day_ranges()) or ((540, 1080),)
    cal = Calendar(tz=tz, week=week, holidays=holidays, workdays=workdays, makeup_hours=makeup)
    return cal, start


def weekly_minutes(cal: Calendar) -> int:
    if cal.week is None:
        return 7 * 1440
    return sum(e - s for ranges in cal.week for s, e in ranges)


@st.composite
def durations(draw: st.DrawFn, cal: Calendar) -> timedelta:
    """Up to eight weeks of this calendar's working time: about 40 days for an office week."""
    # A share of the maximum, so that the strategy is the same for every calendar.
    share = draw(st.integers(0, 8 * 7 * 1440))
    return share * weekly_minutes(cal) // (7 * 1440) * MIN


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(st.data(), calendars_and_starts())
def test_round_trip_and_the_result_ends_working_time(data, cal_start):
    cal, start = cal_start
    duration = data.draw(durations(cal))
    result = add_business_time(cal, start, duration)
    assert result.tzinfo is UTC
    assert business_time_between(cal, start, result) == duration
    if duration:
        # In (s, e] of a working interval: the instant before is working, so nothing earlier
        # would do, and the result is not the start of some later interval.
        assert is_working_time(cal, result - US)
        assert business_time_between(cal, start, result - US) == duration - US
        around = working_intervals(cal, result - 2 * H, result + 2 * H)
        assert any(s < result <= e for s, e in around)
    else:
        # Not `result == start`: an aware time in a repeated hour never equals one in another zone.
        assert result == start.astimezone(UTC)


@PROPERTY
@given(st.data(), calendars_and_starts())
def test_more_time_is_never_earlier(data, cal_start):
    cal, start = cal_start
    first, second = sorted([data.draw(durations(cal)), data.draw(durations(cal))])
    assert add_business_time(cal, start, first) <= add_business_time(cal, start, second)


@PROPERTY
@given(
    calendars_and_starts(),
    st.integers(0, 20 * 24 * 60 * 60),
    st.integers(0, 20 * 24 * 60 * 60),
)
def test_business_time_between_is_additive(cal_start, first_seconds, second_seconds):
    cal, a = cal_start
    a = a.astimezone(UTC)  # so that + and - below count real time, not wall-clock time
    b = a + timedelta(seconds=first_seconds)
    c = b + timedelta(seconds=second_seconds)
    ab, bc, ac = (business_time_between(cal, x, y) for x, y in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert business_time_between(cal, c, a) == timedelta(0)
    assert timedelta(0) <= ac <= c - a
    intervals = list(working_intervals(cal, a, c))
    assert all(s < e for s, e in intervals)
    assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(intervals))


@PROPERTY
@given(st.data(), calendars_and_starts())
def test_results_never_fall_on_a_day_off(data, cal_start):
    cal, start = cal_start
    duration = data.draw(durations(cal))
    result = add_business_time(cal, start, duration)
    if duration:
        # The instant before the result: a result at 24:00 is dated the next (maybe free) day.
        day = (result - US).astimezone(ZoneInfo(cal.tz)).date()
        assert day not in cal.holidays
        if cal.week is not None and day not in cal.workdays:
            assert cal.week[day.weekday()]


@st.composite
def pauses(draw: st.DrawFn, start: datetime, closed: bool) -> list[Pause]:
    result = []
    for _ in range(draw(st.integers(0, 4))):
        begin = start + draw(st.integers(-3 * 1440, 30 * 1440)) * MIN
        if closed or draw(st.booleans()):
            result.append(Pause(begin, begin + draw(st.integers(0, 5 * 1440)) * MIN))
        else:
            result.append(Pause(begin))
    return result


@PROPERTY
@given(st.data(), calendars_and_starts())
def test_the_clock_reaches_its_target_at_the_due_time(data, cal_start):
    cal, start = cal_start
    target = data.draw(durations(cal))
    closed = data.draw(pauses(start, closed=True))
    due = clock_due_at(cal, start, target, closed)
    assert due is not None
    assert clock_elapsed(cal, start, due, closed) == target
    assert due >= add_business_time(cal, start, target)  # pauses only ever delay
    if target:
        assert clock_elapsed(cal, start, due - US, closed) < target


@PROPERTY
@given(st.data(), calendars_and_starts())
def test_an_open_pause_either_stops_the_clock_or_comes_after_the_breach(data, cal_start):
    cal, start = cal_start
    target = data.draw(durations(cal))
    some = data.draw(pauses(start, closed=False))
    due = clock_due_at(cal, start, target, some)
    first_open = min((p.start for p in some if p.end is None), default=None)
    if due is None:
        assert first_open is not None
        assert clock_elapsed(cal, start, max(first_open, start) + 48 * H, some) < target
    else:
        assert clock_elapsed(cal, start, due, some) == target
        if first_open is not None:
            assert due <= max(first_open, start)


@PROPERTY
@given(starts())
def test_a_calendar_of_whole_days_is_24x7_in_any_zone(start):
    full = Calendar(tz=start.tzinfo.key, week=(((0, 720), (720, 1440)),) * 7)
    start = start.astimezone(UTC)
    assert add_business_time(full, start, 50 * H) == start + 50 * H
    assert list(working_intervals(full, start, start + 100 * H)) == [(start, start + 100 * H)]


def oracle_working_minutes(cal: Calendar, start: datetime, minutes: int) -> list[bool]:
    """Walk the minutes and read the wall clock, the way a person would. A range is worked from
    the first moment the clock shows its start until the first moment it shows its end; so what
    counts is the latest time the clock has shown yet: it skips a spring gap and, in the autumn,
    holds still while the clock repeats an hour."""
    zone = ZoneInfo(cal.tz)
    warm_up = 180  # longer than any clock change, so the latest reading is known from the start
    latest = datetime.min  # noqa: DTZ901 - a wall-clock reading, naive on purpose
    worked = []
    for i in range(-warm_up, minutes):
        latest = max(latest, (start + i * MIN).astimezone(zone).replace(tzinfo=None))
        if i < 0:
            continue
        day = latest.date()
        if day in cal.holidays:
            worked.append(False)
            continue
        if cal.week is None:
            worked.append(True)
            continue
        ranges = cal.makeup_hours if day in cal.workdays else cal.week[day.weekday()]
        minute = latest.hour * 60 + latest.minute
        worked.append(any(s <= minute < e for s, e in ranges))
    return worked


@settings(max_examples=100, deadline=None)
@given(calendars_and_starts(), st.integers(1, 36 * 60))
def test_business_time_agrees_with_a_minute_by_minute_oracle(cal_start, minutes):
    cal, start = cal_start
    # Every zone here is offset by whole minutes, so each UTC minute is all in or all out.
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    working = oracle_working_minutes(cal, start, minutes)
    assert business_time_between(cal, start, start + minutes * MIN) == sum(working) * MIN
    for i in range(0, minutes, 37):
        assert is_working_time(cal, start + i * MIN) == working[i]
