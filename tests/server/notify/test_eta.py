"""The customer's ETA and when a new one is worth telling (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.notify.eta import decide_eta_update, estimate_arrival

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PLAN = NOW + timedelta(hours=1)
MARGIN = timedelta(minutes=15)


def test_before_setting_off_the_plan_is_the_estimate():
    assert estimate_arrival(status="assigned", planned_eta_at=PLAN, now=NOW, travel_s=60,
                            position_at=NOW) == PLAN  # fmt: skip


def test_on_the_way_the_position_and_travel_time_make_the_estimate():
    ping = NOW - timedelta(minutes=2)
    got = estimate_arrival(status="en_route", planned_eta_at=PLAN, now=NOW, travel_s=1200,
                           position_at=ping)  # fmt: skip
    assert got == ping + timedelta(seconds=1200)


def test_a_stale_position_falls_back_on_the_plan():
    old = NOW - timedelta(minutes=30)
    assert estimate_arrival(status="en_route", planned_eta_at=PLAN, now=NOW, travel_s=60,
                            position_at=old) == PLAN  # fmt: skip


def test_an_engineer_almost_there_is_due_now_not_in_the_past():
    ping = NOW - timedelta(minutes=5)
    assert estimate_arrival(status="en_route", planned_eta_at=PLAN, now=NOW, travel_s=30,
                            position_at=ping) == NOW  # fmt: skip


@pytest.mark.parametrize("status", ["new", "in_progress", "completed", "closed", "cancelled"])
def test_no_estimate_once_arrived_or_before_anyone_is_assigned(status):
    assert estimate_arrival(status=status, planned_eta_at=PLAN, now=NOW) is None


@pytest.mark.parametrize(
    ("told", "new", "send", "reason"),
    [
        (PLAN, PLAN + timedelta(minutes=15), False, "within_margin"),
        (PLAN, PLAN - timedelta(minutes=15), False, "within_margin"),
        (PLAN, PLAN + timedelta(minutes=16), True, "moved"),
        (PLAN, PLAN - timedelta(minutes=40), True, "moved"),
        (None, PLAN, False, "nothing_told_yet"),
        (PLAN, None, False, "no_estimate"),
    ],
)
def test_an_update_only_when_the_estimate_moved_past_the_margin(told, new, send, reason):
    decision = decide_eta_update(status="en_route", told_eta_at=told, new_eta_at=new,
                                 margin=MARGIN)  # fmt: skip
    assert (decision.send, decision.reason) == (send, reason)


def test_no_update_after_arrival():
    decision = decide_eta_update(status="in_progress", told_eta_at=PLAN,
                                 new_eta_at=PLAN + timedelta(hours=2), margin=MARGIN)  # fmt: skip
    assert (decision.send, decision.reason) == (False, "not_before_arrival")


@given(minutes=st.integers(-600, 600), margin=st.integers(0, 120))
def test_the_margin_is_symmetric_and_exclusive(minutes, margin):
    decision = decide_eta_update(
        status="assigned",
        told_eta_at=PLAN,
        new_eta_at=PLAN + timedelta(minutes=minutes),
        margin=timedelta(minutes=margin),
    )
    assert decision.send == (abs(minutes) > margin)
