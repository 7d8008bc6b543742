"""What happened to work orders in this transaction, noted for the messages it calls for.

The work-order hooks note what happened (an action, who was assigned before); the messages are
written just before the transaction commits, from the order as it will be committed (see
`notify.messages`). That way an assignment whose ETA is set a moment later by dispatch (same
transaction) is announced with that ETA, a batch of a phone's offline steps (accept, start
travel, arrive, complete) sends what is still true at the end (no "on the way" for a job already
done), and a transaction that rolls back sends nothing. Changes that are not life-cycle actions
(dispatch moving a job's start, the engineer's position) are seen in the flushes of that
transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from server.config import Config
from server.db import utcnow
from server.notify.messages import Intent, write_messages
from server.technicians.models import Technician
from server.workorders import hooks
from server.workorders.models import WorkOrder, WorkOrderEvent

_INTENTS = "notify.intents"
_CHANGED = "notify.changed"
_POSITIONS = "notify.positions"
_UNKNOWN = object()


# --- noting what happened (work-order hooks, under the order's lock) -------------------------


def on_created(session: Session, order: WorkOrder, *, now: datetime, timezone: str) -> None:
    _note(session, Intent(order.id, "create", order.version, now))


def on_transition(
    session: Session,
    order: WorkOrder,
    *,
    action: str,
    event: WorkOrderEvent,
    now: datetime,
    timezone: str,
) -> None:
    payload = event.payload or {}
    previous: uuid.UUID | None = None
    technician = order.assignee_id
    if action == "assign":
        previous = _uuid(payload.get("previous_technician_id"))
    elif action in ("unassign", "decline"):
        previous, technician = _uuid(payload.get("technician_id")), None
    _note(
        session,
        Intent(
            order.id,
            action,
            order.version,
            now,
            technician_id=technician,
            previous_technician_id=previous,
            reason=payload.get("reason"),
        ),
    )


hooks.after_create.append(on_created)
hooks.after_transition.append(on_transition)


def _note(session: Session, intent: Intent) -> None:
    session.info.setdefault(_INTENTS, []).append(intent)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _flush_context: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, WorkOrder):
            state = inspect(obj)
            initial: dict[str, Any] = {}
            changed = False
            for name in ("assignee_id", "scheduled_start_at", "eta_at"):
                history = state.attrs[name].history
                changed = changed or history.has_changes()
                if history.deleted:
                    initial[name] = history.deleted[0]
                elif history.unchanged:
                    initial[name] = history.unchanged[0]
                else:
                    initial[name] = _UNKNOWN if history.added else None
            if changed:
                session.info.setdefault(_CHANGED, {}).setdefault(obj.id, initial)
        elif (
            isinstance(obj, Technician)
            and inspect(obj).attrs.last_position_at.history.has_changes()
        ):
            session.info.setdefault(_POSITIONS, set()).add(obj.id)


@event.listens_for(Session, "before_commit")
def _write_messages(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the transaction goes on
    # The last changes of this transaction, seen by _collect_changes (commit would flush them
    # next anyway).
    session.flush()
    if not any(key in session.info for key in (_INTENTS, _CHANGED, _POSITIONS)):
        return
    intents: list[Intent] = session.info.pop(_INTENTS, [])
    changed: dict[uuid.UUID, dict[str, Any]] = session.info.pop(_CHANGED, {})
    positions: set[uuid.UUID] = session.info.pop(_POSITIONS, set())
    write_messages(
        session,
        intents=intents,
        changed=changed,
        positions=positions,
        settings=_settings(),
        now=utcnow(),
    )
    session.info.pop(_CHANGED, None)  # our own flushes changed no order


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    for key in (_INTENTS, _CHANGED, _POSITIONS):
        session.info.pop(key, None)


def _settings() -> Mapping[str, Any]:
    if has_app_context():
        return current_app.config
    return Config().as_flask_mapping()
