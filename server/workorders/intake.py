"""One intake pipeline for every channel (DESIGN §5): normalise -> find the customer and site ->
triage -> dedupe -> create -> acknowledge through the outbox.

A request that repeats an open order for the same site (similar text, within 72 hours) is not
a new order: it is recorded on the existing one, and the customer gets that number back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from server import actors
from server.actors import Actor
from server.assets import service as assets_service
from server.assets.models import Asset
from server.customers import service as customers_service
from server.customers.models import Customer
from server.errors import NotFound, ValidationFailed
from server.notify import service as notify_service
from server.storage import BlobStore
from server.workorders import states
from server.workorders.attachments import Limits, store_checked
from server.workorders.clocks import promised_eta
from server.workorders.mail import parse_mail
from server.workorders.models import WorkOrder, WorkOrderEvent
from server.workorders.service import add_comment, create_work_order, find_by_number
from server.workorders.timeline import record, record_change
from server.workorders.triage import triage_request
from server.workorders.uploads import inspect as inspect_upload

DEDUPE_WINDOW = timedelta(hours=72)
# pg_trgm similarity of the texts (0..1) above which a request repeats an open order.
DEDUPE_SIMILARITY = 0.3
OPEN_FOR_DEDUPE = tuple(s.value for s in states.OPEN_STATUSES if s != states.Status.COMPLETED)


@dataclass(frozen=True)
class IntakeRequest:
    channel: str
    summary: str
    description: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    location: dict[str, float] | None = None
    customer_id: uuid.UUID | None = None
    site_id: uuid.UUID | None = None
    asset_serial: str | None = None
    locale: str = "zh-CN"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    work_order: WorkOrder
    duplicate_of: WorkOrder | None
    tracking_url: str

    @property
    def created(self) -> bool:
        return self.duplicate_of is None


def tracking_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/track/{code}"


def intake(
    session: Session,
    *,
    request: IntakeRequest,
    actor: Actor,
    now: datetime,
    timezone: str,
    public_base_url: str,
) -> IntakeResult:
    asset, scanned = _asset_of_request(session, request)
    if scanned and asset is not None:
        # The sticker's code was read on the machine: the request is for that machine, at its
        # site, for its owner, whoever is reporting it.
        customer = customers_service.get_customer(session, customer_id=asset.customer_id)
        site_id: uuid.UUID | None = asset.site_id
    else:
        customer = _find_or_create_customer(session, request)
        site_id = _find_or_create_site(session, request, customer)
        if asset is not None and asset.customer_id != customer.id:
            asset = None  # a serial typed by someone else's customer: kept in the text only
        elif asset is not None:
            site_id = asset.site_id
    text = " ".join(filter(None, (request.summary, request.description)))
    original = find_duplicate(session, site_id=site_id, text=text, now=now)
    if original is not None:
        _absorb(session, original, request=request, actor=actor, now=now)
        _acknowledge(session, original, request=request, public_base_url=public_base_url,
                     key=f"ack-duplicate:{original.id}:{now.isoformat()}")  # fmt: skip
        return IntakeResult(
            original, original, tracking_url(public_base_url, original.tracking_code)
        )
    triage = triage_request(session, text=text, channel=request.channel, tier=customer.tier)
    order = create_work_order(
        session,
        actor=actor,
        customer_id=customer.id,
        site_id=site_id,
        summary=request.summary,
        description=request.description,
        channel=request.channel,
        now=now,
        timezone=timezone,
        asset_id=asset.id if asset is not None else None,
        **triage,
    )
    _acknowledge(session, order, request=request, public_base_url=public_base_url,
                 key=f"ack:{order.id}")  # fmt: skip
    return IntakeResult(order, None, tracking_url(public_base_url, order.tracking_code))


def _asset_of_request(session: Session, request: IntakeRequest) -> tuple[Asset | None, bool]:
    """The asset a request names, and whether it was named by its sticker's QR code (which is
    unguessable, so it proves the reporter stands at the machine) rather than by its serial
    (printed on the machine, so only trusted when the reporter is the asset's customer)."""
    value = (request.asset_serial or "").strip()
    if not value:
        return None, False
    scanned = assets_service.find_asset_by_qr_code(session, code=value)
    if scanned is not None:
        return scanned, True
    return assets_service.find_asset_by_serial(session, serial=value), False


def find_duplicate(
    session: Session, *, site_id: uuid.UUID | None, text: str, now: datetime
) -> WorkOrder | None:
    """An open order for the same site, created in the last 72 hours, whose text is similar."""
    if site_id is None or not text.strip():
        return None
    # The order's own words (not its number, which would dilute the score).
    words = func.lower(func.concat_ws(" ", WorkOrder.summary, WorkOrder.description))
    similarity = func.similarity(words, text.lower())
    return session.scalar(
        select(WorkOrder)
        .where(
            WorkOrder.site_id == site_id,
            WorkOrder.status.in_(OPEN_FOR_DEDUPE),
            WorkOrder.created_at >= now - DEDUPE_WINDOW,
            similarity >= DEDUPE_SIMILARITY,
        )
        .order_by(similarity.desc(), WorkOrder.created_at.desc())
        .limit(1)
        .with_for_update()
    )


def _absorb(
    session: Session, order: WorkOrder, *, request: IntakeRequest, actor: Actor, now: datetime
) -> WorkOrderEvent:
    return record_change(
        session,
        order,
        actor=actor,
        action="duplicate_request",
        payload={
            "channel": request.channel,
            "summary": request.summary,
            "description": request.description,
            "name": request.name,
            "phone": request.phone,
            **(
                {"source_ref": request.extra["source_ref"]} if "source_ref" in request.extra else {}
            ),
        },
        now=now,
    )


def _find_or_create_customer(session: Session, request: IntakeRequest) -> Customer:
    if request.customer_id is not None:
        return customers_service.get_customer(session, customer_id=request.customer_id)
    found = customers_service.find_customer_by_contact(
        session, phone=request.phone, email=request.email
    )
    if found is not None:
        return found
    name = (request.name or request.phone or request.email or "?").strip()
    contact = {"name": name, "phone": request.phone, "email": request.email, "is_primary": True}
    return customers_service.create_customer(
        session,
        name=name,
        phone=request.phone,
        email=request.email,
        contacts=[contact],
    )


def _find_or_create_site(
    session: Session, request: IntakeRequest, customer: Customer
) -> uuid.UUID | None:
    if request.site_id is not None:
        return request.site_id
    site = customers_service.find_site_near(
        session, customer_id=customer.id, location=request.location, address=request.address
    )
    if site is not None:
        return site.id
    if request.address and request.location:
        return customers_service.create_site(
            session, customer_id=customer.id, address=request.address, location=request.location
        ).id
    return None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _acknowledge(
    session: Session,
    order: WorkOrder,
    *,
    request: IntakeRequest,
    public_base_url: str,
    key: str,
) -> None:
    payload = {
        "number": order.number,
        "tracking_url": tracking_url(public_base_url, order.tracking_code),
        "eta_at": _iso(promised_eta(order)),
        "summary": order.summary,
    }
    for channel, recipient in (("email", request.email), ("sms", request.phone)):
        if recipient:
            notify_service.enqueue(
                session,
                channel=channel,
                recipient=recipient,
                template="intake_acknowledgement",
                idempotency_key=f"{key}:{channel}",
                locale=request.locale,
                payload=payload,
                work_order_id=order.id,
            )


# --- email ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailOutcome:
    outcome: str  # created | duplicate | comment
    work_order: WorkOrder
    tracking_url: str


def intake_email(
    session: Session,
    *,
    raw: bytes,
    now: datetime,
    timezone: str,
    public_base_url: str,
    store: BlobStore,
    limits: Limits,
) -> MailOutcome:
    """A customer's reply to one of our emails becomes a public comment on that order; any
    other mail goes through the pipeline as a new request (or joins an open duplicate). Its
    files are kept on the order when they pass the same checks as any upload; the others are
    named on the timeline as refused, and the mail is still taken."""
    mail = parse_mail(raw)
    if not mail.from_address or "@" not in mail.from_address:
        raise ValidationFailed({"From": ["sender_required"]})
    attachments = [
        {"filename": a.filename, "content_type": a.content_type, "size": len(a.data)}
        for a in mail.attachments
    ]

    def keep_files(order: WorkOrder) -> None:
        sender = actors.customer(order.id, name=mail.from_name or mail.from_address)
        for part in mail.attachments:
            try:
                facts = inspect_upload(
                    part.data,
                    filename=part.filename or "",
                    kind=None,
                    max_bytes=limits.max_bytes,
                    max_pixels=limits.max_pixels,
                )
            except ValidationFailed as refused:
                reason = (refused.errors or {}).get("files", {}).get("file", ["invalid"])[0]
                record(
                    session,
                    order,
                    actor=sender,
                    action="attachment_refused",
                    payload={"filename": part.filename, "reason": reason},
                    now=now,
                )
                continue
            store_checked(
                session,
                store=store,
                order=order,
                actor=sender,
                data=part.data,
                facts=facts,
                filename=part.filename or "",
                public=True,
                now=now,
            )

    if mail.answers_number:
        order = find_by_number(session, number=mail.answers_number)
        if order is not None and _sender_is_customer(session, order, mail.from_address):
            keep_files(order)
            add_comment(
                session,
                work_order_id=order.id,
                actor=actors.customer(order.id, name=mail.from_name or mail.from_address),
                body=mail.text or mail.subject,
                public=True,
                now=now,
                extra={"channel": "email", "attachments": attachments},
            )
            return MailOutcome("comment", order, tracking_url(public_base_url, order.tracking_code))
    summary = (mail.subject or mail.text.split("\n", 1)[0] or "(no subject)")[:200]
    result = intake(
        session,
        request=IntakeRequest(
            channel="email",
            summary=summary,
            description=mail.text or None,
            name=mail.from_name,
            email=mail.from_address,
            extra={"attachments": attachments, "message_id": mail.message_id},
        ),
        actor=actors.customer_request(mail.from_name or mail.from_address),
        now=now,
        timezone=timezone,
        public_base_url=public_base_url,
    )
    keep_files(result.work_order)
    return MailOutcome(
        "created" if result.created else "duplicate", result.work_order, result.tracking_url
    )


def _sender_is_customer(session: Session, order: WorkOrder, address: str) -> bool:
    found = customers_service.find_customer_by_contact(session, email=address)
    return found is not None and found.id == order.customer_id


# --- connected systems (REST API with a key) ------------------------------------------------


@dataclass(frozen=True)
class ApiOutcome:
    result: IntakeResult
    replayed: bool


def intake_api(
    session: Session,
    *,
    key_id: uuid.UUID,
    key_name: str,
    key_customer_id: uuid.UUID | None,
    external_ref: str | None,
    request: IntakeRequest,
    now: datetime,
    timezone: str,
    public_base_url: str,
) -> ApiOutcome:
    """A request from another system (a CRM, a partner's ticket desk). The same
    `external_ref` from the same key is the same request: a retry gets the order made the
    first time, even when two retries arrive together. A key bound to a customer files
    requests for that customer only."""
    customer_id = key_customer_id or request.customer_id
    if customer_id is not None:
        try:
            customers_service.get_customer(session, customer_id=customer_id)
        except NotFound as exc:
            raise ValidationFailed({"customer_id": ["unknown_customer"]}) from exc
    elif not (request.phone or request.email):
        raise ValidationFailed({"customer_id": ["customer_or_contact_required"]})
    source = f"api:{key_id}:{external_ref}" if external_ref else None
    if source is not None:
        # One writer per reference at a time; the lock ends with the transaction.
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(source, 0))))
        earlier = session.scalar(select(WorkOrder).where(WorkOrder.source_ref == source))
        if earlier is not None:
            result = IntakeResult(
                earlier, None, tracking_url(public_base_url, earlier.tracking_code)
            )
            return ApiOutcome(result, replayed=True)
        # The first attempt joined an open order as a duplicate: answer that order again.
        absorbed_by = session.scalar(
            select(WorkOrder)
            .join(WorkOrderEvent, WorkOrderEvent.work_order_id == WorkOrder.id)
            .where(
                WorkOrderEvent.action == "duplicate_request",
                WorkOrderEvent.payload["source_ref"].astext == source,
            )
            .limit(1)
        )
        if absorbed_by is not None:
            result = IntakeResult(
                absorbed_by, absorbed_by, tracking_url(public_base_url, absorbed_by.tracking_code)
            )
            return ApiOutcome(result, replayed=True)
    result = intake(
        session,
        request=replace(
            request,
            customer_id=customer_id,
            extra={
                **request.extra,
                "api_key": key_name,
                **({"source_ref": source} if source else {}),
            },
        ),
        actor=actors.integration(key_name),
        now=now,
        timezone=timezone,
        public_base_url=public_base_url,
    )
    if source is not None and result.created:
        result.work_order.source_ref = source
    return ApiOutcome(result, replayed=False)


# --- IoT alarms -----------------------------------------------------------------------------


def intake_alarm(
    session: Session,
    *,
    customer_id: uuid.UUID | None,
    gateway: str,
    asset_serial: str,
    alarm_code: str,
    message: str,
    occurred_at: datetime,
    now: datetime,
    timezone: str,
    public_base_url: str,
) -> MailOutcome:
    """An alarm from connected equipment. While an order from the same asset is open, further
    alarms are appended to it; otherwise a new order is opened for the asset's customer (a
    gateway bound to a customer reports that customer's equipment only), with the category
    and priority the alarm code maps to (see assets' alarm codes), else by the triage rules."""
    asset = assets_service.find_asset_by_serial(session, serial=asset_serial)
    if asset is not None:
        if customer_id is not None and asset.customer_id != customer_id:
            raise ValidationFailed({"asset_serial": ["unknown_asset"]})
        customer_id = asset.customer_id
    if customer_id is None:
        raise ValidationFailed({"asset_serial": ["unknown_asset"]})
    source = f"iot:{asset.serial if asset else asset_serial}"
    # One alarm of an asset at a time: a second one arriving at the same moment waits here,
    # then finds the order the first one opened. The lock ends with the transaction.
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(source, 0))))
    same_asset = WorkOrder.source_ref == source
    if asset is not None:
        same_asset = or_(
            same_asset, (WorkOrder.asset_id == asset.id) & (WorkOrder.channel == "iot")
        )
    open_order = session.scalar(
        select(WorkOrder)
        .where(same_asset, WorkOrder.status.in_(OPEN_FOR_ALARMS))
        .order_by(WorkOrder.created_at.desc())
        .limit(1)
        .with_for_update()
    )
    alarm = {
        "asset_serial": asset_serial,
        "alarm_code": alarm_code,
        "message": message,
        "occurred_at": occurred_at.isoformat(),
        "gateway": gateway,
    }
    actor = actors.integration(gateway)
    if open_order is not None:
        record_change(session, open_order, actor=actor, action="alarm", payload=alarm, now=now)
        return MailOutcome(
            "duplicate", open_order, tracking_url(public_base_url, open_order.tracking_code)
        )
    text = f"[{alarm_code}] {message}"
    customer = customers_service.get_customer(session, customer_id=customer_id)
    triage = triage_request(session, text=text, channel="iot", tier=customer.tier)
    site_id = asset.site_id if asset is not None else None
    if asset is None:
        sites = customers_service.list_sites(
            session, customer_id=customer_id, active=True, page=1, page_size=2
        )[0]
        site_id = sites[0].id if len(sites) == 1 else None
    else:
        rule = assets_service.map_alarm(session, asset=asset, code=alarm_code)
        if rule is not None:
            triage["priority"] = rule.priority
            triage["category_id"] = rule.category_id or triage["category_id"]
            # Said with the triage rules, so "why is this urgent?" has its answer.
            mapped = {"code": rule.code, "priority": rule.priority, "category_id": None}
            if rule.category_id is not None:
                mapped["category_id"] = str(rule.category_id)
            triage["triage"] = {**triage["triage"], "alarm_code": mapped}
    order = create_work_order(
        session,
        actor=actor,
        customer_id=customer_id,
        site_id=site_id,
        asset_id=asset.id if asset is not None else None,
        summary=text[:200],
        description=f"{text}\nasset {asset_serial}, {occurred_at.isoformat()}",
        channel="iot",
        now=now,
        timezone=timezone,
        **triage,
    )
    order.source_ref = source
    record(session, order, actor=actor, action="alarm", payload=alarm, now=now)
    return MailOutcome("created", order, tracking_url(public_base_url, order.tracking_code))


# Completed work is done from the equipment's point of view: a new alarm is a new fault.
OPEN_FOR_ALARMS = OPEN_FOR_DEDUPE
