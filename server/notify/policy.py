"""When to try a message again, and what to do with one whose sender vanished mid-send. Pure.

A claimed message (`sending`) whose lease ran out may or may not have left: the worker could have
died before, during or after the external call. Whether to try again depends on the receiver:

- webhooks carry `Idempotency-Key`, and receivers are asked to drop a key they have seen, so a
  second delivery is harmless: try again;
- push carries the key in its data and as the collapse key: a phone shows one notification per
  key, and the app treats a push only as a nudge to sync: try again;
- in-app and skipped channels never left the database: try again;
- email has nothing of the kind: a mail server accepts the same message twice and the customer
  reads it twice. An interrupted email is therefore failed as `outcome_unknown` for a person to
  look at (and re-queue from the delivery log if it never arrived), never resent blindly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

# Channels whose receiver recognises a repeat by the message's idempotency key.
RESEND_SAFE_CHANNELS = frozenset({"webhook", "push", "in_app", "sms"})

OUTCOME_UNKNOWN = "outcome_unknown: the sender stopped mid-delivery; not resent (email)"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_s: int = 30
    cap_s: int = 3600
    # A share of the delay added at random, so that retries from one outage spread out.
    jitter: float = 0.25


def retry_delay(
    policy: RetryPolicy, attempt: int, *, rng: random.Random | None = None
) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based): base x 2^(attempt-1), capped,
    plus up to `jitter` of itself at random."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    exponent = min(attempt - 1, 30)  # past this, the cap has long applied
    delay = min(policy.cap_s, policy.base_s * (2**exponent))
    spread = (rng or random).random() * policy.jitter * delay
    return timedelta(seconds=delay + spread)


class AfterFailure(StrEnum):
    RETRY = "retry"
    GIVE_UP = "give_up"


def after_failure(policy: RetryPolicy, *, attempts: int, permanent: bool) -> AfterFailure:
    """A refused message (the receiver said no for good) or one out of attempts is failed."""
    if permanent or attempts >= policy.max_attempts:
        return AfterFailure.GIVE_UP
    return AfterFailure.RETRY


class AfterLease(StrEnum):
    RESEND = "resend"
    NEEDS_REVIEW = "needs_review"
    GIVE_UP = "give_up"


def after_lease_expired(policy: RetryPolicy, *, channel: str, attempts: int) -> AfterLease:
    """A message left in `sending` past its lease: see the module's docstring."""
    if channel not in RESEND_SAFE_CHANNELS:
        return AfterLease.NEEDS_REVIEW
    if attempts >= policy.max_attempts:
        return AfterLease.GIVE_UP
    return AfterLease.RESEND
