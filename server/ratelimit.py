"""Fixed-window rate limits kept in PostgreSQL, so every web process shares one count.

A refusal must still count, so callers mark their unit of work with `commit_even_if_refused`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base, commit_even_if_refused
from server.errors import RateLimited


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def _window(now: datetime, window_s: int) -> tuple[datetime, int]:
    epoch = int(now.timestamp())
    start = epoch - epoch % window_s
    retry_after = max(1, start + window_s - epoch)
    return datetime.fromtimestamp(start, tz=now.tzinfo), retry_after


def count_hit(session: Session, *, key: str, window_s: int, now: datetime) -> int:
    """Add one to this window's counter and answer the new count (atomic under concurrency)."""
    start, _ = _window(now, window_s)
    stmt = (
        insert(RateLimitCounter)
        .values(key=key, window_start=start, count=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": RateLimitCounter.count + 1},
        )
        .returning(RateLimitCounter.count)
    )
    commit_even_if_refused(session)
    return int(session.execute(stmt).scalar_one())


def current_count(session: Session, *, key: str, window_s: int, now: datetime) -> int:
    start, _ = _window(now, window_s)
    value = session.scalar(
        select(RateLimitCounter.count).where(
            RateLimitCounter.key == key, RateLimitCounter.window_start == start
        )
    )
    return int(value or 0)


def enforce(session: Session, *, key: str, limit: int, window_s: int, now: datetime) -> None:
    """Count this attempt; refuse with 429 and Retry-After once the window's budget is spent."""
    if count_hit(session, key=key, window_s=window_s, now=now) > limit:
        raise RateLimited(_window(now, window_s)[1])


def refuse_if_spent(
    session: Session, *, key: str, limit: int, window_s: int, now: datetime
) -> None:
    """Refuse without counting (the budget is spent by failures counted elsewhere)."""
    if current_count(session, key=key, window_s=window_s, now=now) >= limit:
        raise RateLimited(_window(now, window_s)[1])


def reset(session: Session, *, key: str) -> None:
    session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))


def purge_expired(session: Session, *, older_than: datetime) -> int:
    result = session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.window_start < older_than)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
