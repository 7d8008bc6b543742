"""Background jobs of the auth domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from server import ratelimit
from server.auth import apikeys
from server.auth import service as auth_service
from server.tasks import queue_app, unit_of_work_task

# Counters are kept at least this long after their window starts: longer than any window in use.
RATE_LIMIT_RETENTION = timedelta(days=1)


@queue_app.periodic(cron="17 * * * *", periodic_id="hourly")
# While one purge waits in the queue (workers down), the next hours add no more.
@unit_of_work_task(name="auth.purge_expired_tokens", queueing_lock="auth.purge_expired_tokens")
def purge_expired_tokens(session: Session, *, timestamp: int) -> dict[str, int]:
    """Delete refresh tokens nobody can use any more, rate-limit counters of past windows, and
    remembered request signatures too old to be replayed anyway."""
    now = datetime.fromtimestamp(timestamp, tz=UTC)
    window = timedelta(seconds=current_app.config["LOGIN_RATE_WINDOW_S"])
    tokens = auth_service.purge_expired_refresh_tokens(session, now=now)
    counters = ratelimit.purge_expired(session, older_than=now - max(window, RATE_LIMIT_RETENTION))
    signatures = apikeys.purge_seen_signatures(session, now=now)
    return {
        "refresh_tokens": tokens,
        "rate_limit_counters": counters,
        "seen_signatures": signatures,
    }
