"""A batch of ops from a phone's outbox, applied in order, each at most once.

Every op is recorded in `mobile_ops` under the id the phone gave it, in the same savepoint as
its effect: a replayed op (a flaky network, a reload) finds its record and is answered
`duplicate` with the order as it is now; nothing changes twice. An op that fails leaves no
trace of its effect, is recorded as rejected with the reason, and does not stop the batch.

The server decides who has a job: an op on an order assigned to someone else is rejected with
`reassigned`. An op whose `base_version` is older than the order is still applied when the
life cycle allows it (field actions add to the order; they do not overwrite it), and refused
with the life cycle's reason when it does not.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobile_api.models import MobileOp
from mobile_api.sync import phone_copies
from server.actors import Actor
from server.assets import jobs
from server.errors import Conflict, DomainError, ValidationFailed
from server.inventory import reservations
from server.storage import BlobStore, is_sha256
from server.workorders import attachments
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder

TRANSITIONS = (
    "accept",
    "decline",
    "start_travel",
    "arrive",
    "hold",
    "resume",
    "complete",
    "sign_off",
)
OTHERS = ("note", "photo", "part_used", "resolution", "checklist_item")
OP_TYPES = TRANSITIONS + OTHERS
# session.info: the orders a batch loaded, kept alive for the rest of the unit of work.
HELD = "mobile_api.held"


@dataclass
class OpResult:
    op_id: str
    status: str  # applied | duplicate | rejected
    error: str | None = None
    work_order: WorkOrder | None = None


def apply_batch(
    session: Session,
    *,
    actor: Actor,
    ops: list[dict[str, Any]],
    store: BlobStore,
    limits: attachments.Limits,
    now: datetime,
    timezone: str,
) -> list[OpResult]:
    order_ids = {op["work_order_id"] for op in ops if op.get("work_order_id")}
    op_ids = [op["op_id"] for op in ops]
    # The session holds loaded objects weakly: keep the batch's orders (and what they load)
    # alive until the unit of work ends, or every op would load its order, customer and site
    # again, and so would the notifications written at commit.
    held = session.info.setdefault(HELD, [])
    loaded = list(session.scalars(select(WorkOrder).where(WorkOrder.id.in_(order_ids))))
    held.extend(loaded)
    known = {order.id for order in loaded}
    seen = {
        row.op_id: row
        for row in session.scalars(select(MobileOp).where(MobileOp.op_id.in_(op_ids)))
    }
    # Op ids already in a timeline (one query for the batch): a transition with an op id
    # found neither here nor earlier in this batch need not look itself up again.
    in_timeline = workorders_service.ops_in_timeline(session, op_ids=op_ids)
    results = []
    for op in ops:
        results.append(
            _apply_one(
                session,
                actor=actor,
                op=op,
                seen=seen.get(op["op_id"]),
                known=op.get("work_order_id") in known,
                op_id_unseen=op["op_id"] not in in_timeline,
                store=store,
                limits=limits,
                now=now,
                timezone=timezone,
            )
        )
        in_timeline.add(op["op_id"])
    # The order as it ends up, once per order (on its last op) and on every rejection: a batch
    # of a whole job does not send the same order back eight times. Read again in one query
    # (with what it shows: customer, site, engineer), as another transaction may have changed
    # an order this batch could not touch.
    last: dict[Any, int] = {op.get("work_order_id"): i for i, op in enumerate(ops)}
    answered = [
        (op["work_order_id"], result)
        for index, (op, result) in enumerate(zip(ops, results, strict=True))
        if op.get("work_order_id") is not None
        and (result.status == "rejected" or last[op["work_order_id"]] == index)
    ]
    current = {
        order.id: order
        for order in session.scalars(
            select(WorkOrder)
            .where(WorkOrder.id.in_({order_id for order_id, _ in answered}))
            .execution_options(populate_existing=True)
        )
    }
    held.extend(current.values())
    for order_id, result in answered:
        order = current.get(order_id)
        if order is not None and order.assignee_id == actor.technician_id:
            result.work_order = order  # else no longer theirs to see
    shown = [r.work_order for r in results if r.work_order is not None]
    phone_copies(session, shown, actor=actor, now=now, timezone=timezone)
    return results


def _apply_one(
    session: Session,
    *,
    actor: Actor,
    op: dict[str, Any],
    seen: MobileOp | None,
    known: bool,
    op_id_unseen: bool,
    store: BlobStore,
    limits: attachments.Limits,
    now: datetime,
    timezone: str,
) -> OpResult:
    op_id, work_order_id = op["op_id"], op.get("work_order_id")
    if seen is not None:
        if seen.technician_id != actor.technician_id:
            return OpResult(op_id, "rejected", "op_id_reused")
        return OpResult(op_id, "duplicate", seen.error)
    record = MobileOp(
        op_id=op_id,
        technician_id=actor.technician_id,
        work_order_id=work_order_id,
        type=op["type"],
        at=op.get("at"),
        received_at=now,
        base_version=op.get("base_version"),
        payload=op.get("payload") or {},
    )
    if work_order_id is not None and not known:
        # No such order (the batch loaded every order it names): nothing to apply, and nothing
        # for the record to point at.
        record.work_order_id = None
        return _rejected(session, record, op_id, "not_found")
    try:
        with session.begin_nested():
            _effect(
                session,
                actor=actor,
                op=op,
                op_id_unseen=op_id_unseen,
                store=store,
                limits=limits,
                now=now,
                timezone=timezone,
            )
            record.status = "applied"
            session.add(record)
            session.flush()
    except IntegrityError:
        # The same op arrived twice at the same moment (two tabs, a retried request): the other
        # copy was applied.
        return OpResult(op_id, "duplicate")
    except DomainError as refused:
        return _rejected(session, record, op_id, refused.error)
    return OpResult(op_id, "applied")


def _rejected(session: Session, record: MobileOp, op_id: str, error: str) -> OpResult:
    """Keep the refusal on record (a replay is answered `duplicate`), in a savepoint of its own."""
    record.status, record.error = "rejected", error
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        return OpResult(op_id, "duplicate")
    return OpResult(op_id, "rejected", error)


def _effect(
    session: Session,
    *,
    actor: Actor,
    op: dict[str, Any],
    op_id_unseen: bool,
    store: BlobStore,
    limits: attachments.Limits,
    now: datetime,
    timezone: str,
) -> None:
    kind, payload = op["type"], op.get("payload") or {}
    order_id = op.get("work_order_id")
    if order_id is None:
        raise ValidationFailed({"work_order_id": ["required"]})
    order = session.get(WorkOrder, order_id)
    if order is None:
        raise Conflict("not_found")
    if order.assignee_id != actor.technician_id:
        raise Conflict("reassigned")
    if kind in TRANSITIONS:
        if kind == "sign_off" and payload.get("signature_sha256"):
            _attach(
                session,
                actor=actor,
                order_id=order_id,
                sha=payload["signature_sha256"],
                kind="signature",
                filename="signature.png",
                public=False,
                store=store,
                limits=limits,
                now=now,
            )
        workorders_service.apply_transition(
            session,
            work_order_id=order_id,
            actor=actor,
            change=workorders_service.TransitionInput(
                action=kind,
                reason=payload.get("reason"),
                resolution=payload.get("resolution"),
                signature_sha256=payload.get("signature_sha256"),
                signer_name=payload.get("signer_name"),
                hold_for=payload.get("hold_for"),
            ),
            now=now,
            timezone=timezone,
            op_id=op["op_id"],
            op_id_unseen=op_id_unseen,
        )
    elif kind == "note":
        body = str(payload.get("body") or "").strip()
        if not body:
            raise ValidationFailed({"body": ["required"]})
        workorders_service.add_comment(
            session,
            work_order_id=order_id,
            actor=actor,
            body=body,
            public=bool(payload.get("public")),
            now=now,
            extra={"op_id": op["op_id"]},
        )
    elif kind == "photo":
        _attach(
            session,
            actor=actor,
            order_id=order_id,
            sha=str(payload.get("sha256") or ""),
            kind="photo",
            filename=str(payload.get("filename") or "photo.jpg"),
            public=bool(payload.get("public")),
            store=store,
            limits=limits,
            now=now,
        )
    elif kind == "part_used":
        if payload.get("reservation_id"):
            reservations.consume(
                session,
                reservation_id=uuid.UUID(str(payload["reservation_id"])),
                actor=actor,
                now=now,
                quantity_used=_decimal(payload.get("quantity_used")),
            )
        else:
            quantity = _decimal(payload.get("quantity"))
            if quantity is None or not payload.get("part_id"):
                raise ValidationFailed({"part_id": ["required"]})
            reservations.use_from_van(
                session,
                work_order_id=order_id,
                part_id=uuid.UUID(str(payload["part_id"])),
                quantity=quantity,
                actor=actor,
                now=now,
            )
    elif kind == "resolution":
        workorders_service.record_resolution(
            session,
            work_order_id=order_id,
            actor=actor,
            resolution=str(payload.get("resolution") or ""),
            now=now,
        )
    elif kind == "checklist_item":
        if not payload.get("item_id") or "value" not in payload:
            raise ValidationFailed({"item_id": ["required"]})
        try:
            item_id = uuid.UUID(str(payload["item_id"]))
        except ValueError as exc:
            raise ValidationFailed({"item_id": ["Not a valid UUID."]}) from exc
        jobs.answer_item(
            session,
            work_order_id=order_id,
            item_id=item_id,
            value=payload["value"],
            note=payload.get("note") if isinstance(payload.get("note"), str) else None,
            unit=payload.get("unit") if isinstance(payload.get("unit"), str) else None,
            actor=actor,
            now=now,
            timezone=timezone,
            op_id=op["op_id"],
        )
    else:  # pragma: no cover - the schema allows only OP_TYPES
        raise ValidationFailed({"type": ["unknown_value"]})


def _attach(
    session: Session,
    *,
    actor: Actor,
    order_id: uuid.UUID,
    sha: str,
    kind: str,
    filename: str,
    public: bool,
    store: BlobStore,
    limits: attachments.Limits,
    now: datetime,
) -> None:
    data = store.get(sha) if is_sha256(sha) else None
    if data is None:
        raise Conflict("upload_missing")
    attachments.add_attachment(
        session,
        store=store,
        work_order_id=order_id,
        actor=actor,
        data=data,
        filename=filename,
        kind=kind,
        public=public,
        limits=limits,
        now=now,
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed({"quantity": ["quantity_invalid"]}) from exc
