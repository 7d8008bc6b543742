"""Query helpers every domain's service uses: text search, paging, and unique-key flushes."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.errors import Conflict

T = TypeVar("T", bound=tuple[Any, ...])


def contains_pattern(text: str) -> str:
    """An ILIKE pattern that matches `text` anywhere, taking % and _ literally."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_any(text: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive "contains" on any of `columns` (free-text `q` filters)."""
    pattern = contains_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def count_rows(session: Session, stmt: Select[T], *, cap: int | None = None) -> int:
    """How many rows `stmt` yields, for the X-Pagination total. With `cap`, counting stops at
    cap + 1 ("more than cap"): an exact count of 100,000 matches costs more than the page."""
    limited = stmt.order_by(None) if cap is None else stmt.order_by(None).limit(cap + 1)
    return int(session.scalar(select(func.count()).select_from(limited.subquery())) or 0)


def one_page(stmt: Select[T], *, page: int, page_size: int) -> Select[T]:
    return stmt.limit(page_size).offset((page - 1) * page_size)


def flush_or_conflict(session: Session) -> None:
    """Flush now, so a unique key taken by a concurrent insert is a clean 409, not a 500 at
    commit. The savepoint keeps the rest of the unit of work usable after the refusal."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("duplicate") from exc
