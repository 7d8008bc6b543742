"""NOTIFY the live channel from inside the transaction that makes a change, so the boards hear
of it exactly when (and only if) it commits.

One place for every emitter: a session `after_flush` listener looks at what the flush wrote.
A work order that was created or changed (every change bumps its version) becomes a
`work_order` delta; an SLA state that worsened also becomes an `sla` warning; a technician whose
position or status changed becomes a `position` delta. Payloads carry ids and a few columns;
the board reads anything else it needs. PostgreSQL delivers a transaction's notifications at
commit, in commit order, and drops identical ones sent twice in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, inspect, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.types import Text

from server.geo import from_geography
from server.live.events import CHANNEL, encode_payload
from server.technicians.models import Technician
from server.workorders.models import WorkOrder

# CHANNEL is our own constant; the payloads are bound parameters.
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', p) FROM unnest(:payloads) AS p").bindparams(  # noqa: S608
    bindparam("payloads", type_=ARRAY(Text))
)
# A work order's columns a board shows; a change to any other column alone is not news.
_ORDER_COLUMNS = (
    "status",
    "priority",
    "assignee_id",
    "sla_state",
    "version",
    "scheduled_start_at",
    "eta_at",
    "location",
    "waiting_for_parts",
    "pinned",
)
_TECHNICIAN_COLUMNS = ("last_position", "last_position_at", "status", "active")
_WARNINGS = ("at_risk", "breached")


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _changed(obj: Any, columns: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in columns)


def order_delta(order: WorkOrder, *, created: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(order.id),
        "number": order.number,
        "status": order.status,
        "priority": order.priority,
        "assignee_id": str(order.assignee_id) if order.assignee_id else None,
        "sla_state": order.sla_state,
        "version": order.version,
        "scheduled_start_at": _iso(order.scheduled_start_at),
        "eta_at": _iso(order.eta_at),
        "pinned": order.pinned,
    }
    if created:
        body["created"] = True
    return body


def payloads_for(session: Session) -> list[str]:
    """The notifications this flush calls for (called after the flush wrote its rows)."""
    payloads: list[str] = []
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, WorkOrder):
            created = obj in session.new
            if not created and not _changed(obj, _ORDER_COLUMNS):
                continue
            payloads.append(encode_payload("work_order", order_delta(obj, created=created)))
            sla = inspect(obj).attrs["sla_state"].history
            if obj.sla_state in _WARNINGS and (sla.has_changes() or created):
                payloads.append(
                    encode_payload(
                        "sla",
                        {
                            "id": str(obj.id),
                            "number": obj.number,
                            "state": obj.sla_state,
                            "response_due_at": _iso(obj.response_due_at),
                            "resolve_due_at": _iso(obj.resolve_due_at),
                        },
                    )
                )
        elif isinstance(obj, Technician) and obj not in session.new:
            if not _changed(obj, _TECHNICIAN_COLUMNS):
                continue
            position = from_geography(obj.last_position)
            payloads.append(
                encode_payload(
                    "position",
                    {
                        "id": str(obj.id),
                        "lat": position["lat"] if position else None,
                        "lon": position["lon"] if position else None,
                        "at": _iso(obj.last_position_at),
                        "status": obj.status,
                        "active": obj.active,
                    },
                )
            )
    return payloads


def _after_flush(session: Session, _flush_context: UOWTransaction) -> None:
    payloads = payloads_for(session)
    if payloads:
        session.connection().execute(_NOTIFY, {"payloads": payloads})


def install() -> None:
    """Listen on every session (idempotent): requests, tasks and CLI commands alike."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
