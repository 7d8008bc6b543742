"""Other domains' reactions to a work order's life-cycle action, run in the same transaction
under the order's lock (e.g. inventory frees the parts of a cancelled order).

Work orders do not import those domains; they register here when they are imported (the app
factory imports every domain's routes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from server.workorders.models import WorkOrder, WorkOrderEvent

# fn(session, order, *, action, now): may refuse by raising a DomainError; the action has passed
# the life cycle's own guards and nothing has changed yet (e.g. assets refuse `complete` while
# a required checklist item is unanswered).
before_transition: list[Callable[..., None]] = []
# fn(session, order, *, action, event, now, timezone): the action is done and `event` is what
# it recorded on the timeline (its payload says e.g. who had the job before).
after_transition: list[Callable[..., None]] = []
# fn(session, *, values): the columns of an order about to be created; may refuse by raising
# ValidationFailed (e.g. assets check that the asset is at the order's site).
before_create: list[Callable[..., None]] = []
# fn(session, order, *, now): a new order exists (numbered, with its clocks started).
after_create: list[Callable[..., None]] = []


def run_before_transition(
    session: Session, order: WorkOrder, *, action: str, now: datetime
) -> None:
    for hook in before_transition:
        hook(session, order, action=action, now=now)


def run_before_create(session: Session, *, values: dict[str, Any]) -> None:
    for hook in before_create:
        hook(session, values=values)


def run_after_transition(
    session: Session,
    order: WorkOrder,
    *,
    action: str,
    event: WorkOrderEvent,
    now: datetime,
    timezone: str,
) -> None:
    for hook in after_transition:
        hook(session, order, action=action, event=event, now=now, timezone=timezone)


def run_after_create(session: Session, order: WorkOrder, *, now: datetime, timezone: str) -> None:
    for hook in after_create:
        hook(session, order, now=now, timezone=timezone)
