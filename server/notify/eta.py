"""The ETA a customer is told, and whether a new estimate is worth another message. Pure.

Before the engineer sets off, the estimate is the plan's arrival (`eta_at`, written by dispatch).
Once they are on the way, it is their latest position plus the travel time to the site, as long
as that position is fresh; a stale one falls back on the plan. A customer hears of a new estimate
only when it moved by more than the margin from the last one they were told, so that a phone's
pings every 15 s do not become an email every 15 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Statuses in which an arrival is still ahead.
BEFORE_ARRIVAL = frozenset({"assigned", "accepted", "en_route"})
DEFAULT_MAX_POSITION_AGE = timedelta(minutes=10)


def estimate_arrival(
    *,
    status: str,
    planned_eta_at: datetime | None,
    now: datetime,
    travel_s: int | None = None,
    position_at: datetime | None = None,
    max_position_age: timedelta = DEFAULT_MAX_POSITION_AGE,
) -> datetime | None:
    """The arrival to tell the customer, or None when there is nothing to tell."""
    if status not in BEFORE_ARRIVAL:
        return None
    if (
        status == "en_route"
        and position_at is not None
        and travel_s is not None
        and timedelta(0) <= now - position_at <= max_position_age
    ):
        # Measured from the ping, not from now: the engineer kept driving since.
        return max(now, position_at + timedelta(seconds=travel_s))
    return planned_eta_at


@dataclass(frozen=True)
class EtaDecision:
    send: bool
    reason: str  # moved | within_margin | nothing_told_yet | no_estimate | not_before_arrival


def decide_eta_update(
    *,
    status: str,
    told_eta_at: datetime | None,
    new_eta_at: datetime | None,
    margin: timedelta,
) -> EtaDecision:
    """Send an update only when the estimate moved by more than `margin` (either way) from what
    the customer was last told. The first estimate goes out with the step that makes it (the
    assignment, the engineer setting off), never as an update."""
    if status not in BEFORE_ARRIVAL:
        return EtaDecision(False, "not_before_arrival")
    if new_eta_at is None:
        return EtaDecision(False, "no_estimate")
    if told_eta_at is None:
        return EtaDecision(False, "nothing_told_yet")
    if abs(new_eta_at - told_eta_at) <= margin:
        return EtaDecision(False, "within_margin")
    return EtaDecision(True, "moved")
