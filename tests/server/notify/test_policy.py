"""Retry timing and what happens to interrupted deliveries (pure)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.notify import policy

POLICY = policy.RetryPolicy(max_attempts=5, base_s=30, cap_s=600, jitter=0.25)


def test_backoff_doubles_then_stops_at_the_cap():
    calm = policy.RetryPolicy(base_s=30, cap_s=600, jitter=0.0)
    waits = [policy.retry_delay(calm, n).total_seconds() for n in range(1, 8)]
    assert waits == [30, 60, 120, 240, 480, 600, 600]


@given(attempt=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_jitter_only_ever_adds_up_to_its_share(attempt, seed):
    delay = policy.retry_delay(POLICY, attempt, rng=random.Random(seed))
    floor = min(POLICY.cap_s, POLICY.base_s * 2 ** min(attempt - 1, 30))
    assert timedelta(seconds=floor) <= delay <= timedelta(seconds=floor * 1.25)


def test_jitter_spreads_retries_of_one_outage():
    rng = random.Random(7)
    waits = {policy.retry_delay(POLICY, 3, rng=rng) for _ in range(20)}
    assert len(waits) > 10


def test_attempts_are_one_based():
    with pytest.raises(ValueError, match="1-based"):
        policy.retry_delay(POLICY, 0)


@pytest.mark.parametrize(
    ("attempts", "permanent", "expected"),
    [
        (1, False, policy.AfterFailure.RETRY),
        (4, False, policy.AfterFailure.RETRY),
        (5, False, policy.AfterFailure.GIVE_UP),
        (1, True, policy.AfterFailure.GIVE_UP),
    ],
)
def test_a_failure_is_retried_until_the_budget_or_a_refusal(attempts, permanent, expected):
    assert policy.after_failure(POLICY, attempts=attempts, permanent=permanent) == expected


@pytest.mark.parametrize(
    ("channel", "attempts", "expected"),
    [
        ("email", 1, policy.AfterLease.NEEDS_REVIEW),
        ("email", 5, policy.AfterLease.NEEDS_REVIEW),
        ("webhook", 1, policy.AfterLease.RESEND),
        ("push", 2, policy.AfterLease.RESEND),
        ("in_app", 1, policy.AfterLease.RESEND),
        ("webhook", 5, policy.AfterLease.GIVE_UP),
    ],
)
def test_an_interrupted_email_is_never_resent_blindly(channel, attempts, expected):
    assert policy.after_lease_expired(POLICY, channel=channel, attempts=attempts) == expected
