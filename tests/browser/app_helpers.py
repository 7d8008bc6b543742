"""Shared arrangement for the engineer app's browser stories: a server on its own committed
database serving the built app, a phone-sized browser context per story, and the steps of a
job as an engineer takes them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from server.assets import jobs as asset_jobs
from server.assets import service as assets_service
from server.assets.models import ChecklistItem
from server.db import db, utcnow
from server.inventory import reservations
from server.inventory.models import PartReservation
from server.technicians.models import Technician
from server.workorders.models import Attachment, WorkOrder, WorkOrderEvent
from tests.factories import (
    PASSWORD,
    actor_for,
    make_part,
    make_technician,
    make_user,
    make_van,
    make_warehouse,
    make_work_order,
    stock,
)

PHONE = {"width": 360, "height": 640}


APP_PAGES = ("app/index.html", "app/sw.js", "app/manifest.webmanifest")


@dataclass(frozen=True)
class Job:
    id: Any
    number: str
    engineer_email: str
    technician_id: Any
    part_sku: str | None = None
    reservation_id: Any = None
    # Checklist item ids: a required yes/no, then a required number in 5-15 °C.
    checklist: tuple[str, ...] = ()


CHECKLIST = [
    {"key": "drain_clear", "label": {"zh-CN": "排水管通畅", "en": "Drain clear"}, "kind": "yes_no"},
    {
        "key": "supply_temp",
        "label": {"zh-CN": "出风温度", "en": "Supply air temperature"},
        "kind": "number",
        "min_value": 5,
        "max_value": 15,
        "unit": "°C",
    },
]


def arrange_job(app: Flask, *, with_part: bool = False, with_checklist: bool = False) -> Job:
    """An engineer with one job assigned for today (and, if asked, a part for it already in
    their van, and a checklist to fill in); committed, since the live server reads it on other
    connections."""
    with app.app_context(), db.unit_of_work(app) as session:
        user = make_user(session, role="technician", name="王工")
        technician = make_technician(session, user=user)
        order = make_work_order(
            session,
            status="assigned",
            priority="high",
            assignee_id=technician.id,
            scheduled_start_at=datetime.now(UTC) + timedelta(hours=1),
        )
        checklist: tuple[str, ...] = ()
        if with_checklist:
            template = assets_service.create_checklist_template(
                session,
                code="ac-visit",
                name={"zh-CN": "空调上门", "en": "AC visit"},
                items=CHECKLIST,
            )
            items = asset_jobs.instantiate_checklist(session, order, template)
            checklist = tuple(str(item.id) for item in items)
        if not with_part:
            return Job(order.id, order.number, user.email, technician.id, checklist=checklist)
        keeper = actor_for(make_user(session, role="warehouse", name="仓管 赵敏"))
        part = make_part(session)
        warehouse = make_warehouse(session)
        stock(session, part=part, location=warehouse, quantity=5)
        van = make_van(session, technician=technician)
        held = reservations.request_parts(
            session,
            work_order_id=order.id,
            part_id=part.id,
            quantity=Decimal(2),
            actor=keeper,
            now=utcnow(),
        )
        reservations.reserve(
            session, reservation_id=held.id, actor=keeper, now=utcnow(), location_id=warehouse.id
        )
        reservations.issue(
            session, reservation_id=held.id, actor=keeper, now=utcnow(), van_id=van.id
        )
        return Job(order.id, order.number, user.email, technician.id, part.sku, held.id, checklist)


def last_position_at(app: Flask, technician_id: Any) -> datetime | None:
    with app.app_context(), db.unit_of_work(app) as session:
        return session.get(Technician, technician_id).last_position_at


def reservation_state(app: Flask, reservation_id: Any) -> tuple[str, Decimal | None]:
    with app.app_context(), db.unit_of_work(app) as session:
        row = session.get(PartReservation, reservation_id)
        return row.status, row.quantity_used


NEAR_THE_SITE = {"latitude": 31.2200, "longitude": 121.4600}  # ~2 km from the factories' site


def new_phone(browser: Any, *, located: bool = False) -> tuple[BrowserContext, Page, list[str]]:
    """A fresh context (its own service worker and IndexedDB) the size of a phone; `located`:
    the engineer allowed the app to know where the phone is."""
    extra: dict[str, Any] = (
        {"geolocation": NEAR_THE_SITE, "permissions": ["geolocation"]} if located else {}
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="zh-CN", **extra)
    page = context.new_page()
    # Start travel opens the maps app in a new window: not part of these stories.
    context.on("page", lambda popup: popup.close())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def sign_in(page: Page, email: str) -> None:
    form = page.get_by_test_id("login-form")
    form.get_by_test_id("login-input").fill(email)
    form.get_by_test_id("password-input").fill(PASSWORD)
    form.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("job-list")).to_be_visible()


def wait_for_service_worker(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def queued(page: Page, count: int) -> None:
    expect(page.get_by_test_id("queue-status")).to_have_attribute("data-count", str(count))


def jpeg(width: int = 2400, height: int = 1800) -> bytes:
    """A camera-sized photo: the app must shrink it to at most 1600 px before queuing."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    for x in range(0, width, 40):
        image.paste((30, 60, 200), (x, 0, x + 10, height))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def draw_signature(page: Page) -> None:
    pad = page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (18 if step % 2 else -18), steps=3)
    page.mouse.up()
    expect(pad).to_have_attribute("data-empty", "false")


def work_the_job(
    page: Page,
    number: str,
    *,
    note: str | None = None,
    part_sku: str | None = None,
    checklist: tuple[str, ...] = (),
) -> None:
    """Accept, travel, arrive, (a note, the part used, the checklist: yes and 9.5 °C,) a photo,
    the resolution, the customer's signature, complete."""
    page.get_by_test_id(f"job-card-{number}").click()
    job = page.get_by_test_id("job-page")
    expect(job.get_by_test_id("job-status")).to_have_attribute("data-status", "assigned")
    job.get_by_test_id("action-accept").click()
    expect(job.get_by_test_id("job-status")).to_have_attribute("data-status", "accepted")
    job.get_by_test_id("action-start_travel").click()
    expect(job.get_by_test_id("job-status")).to_have_attribute("data-status", "en_route")
    job.get_by_test_id("action-arrive").click()
    expect(job.get_by_test_id("job-status")).to_have_attribute("data-status", "in_progress")
    if note:
        job.get_by_test_id("note-input").fill(note)
        job.get_by_test_id("note-submit").click()
        expect(job.get_by_test_id("notes")).to_contain_text(note)
    if part_sku:
        job.get_by_test_id(f"part-use-{part_sku}").click()
        expect(job.get_by_test_id(f"part-use-{part_sku}")).to_have_count(0)
    if checklist:
        yes_no, number_item = checklist
        job.get_by_test_id(f"checklist-{yes_no}-yes").click()
        expect(job.get_by_test_id(f"checklist-{yes_no}-yes")).to_have_attribute(
            "aria-pressed", "true"
        )
        job.get_by_test_id(f"checklist-{number_item}-input").fill("9.5")
        job.get_by_test_id(f"checklist-{number_item}-input").press("Tab")
    job.get_by_test_id("photo-input").set_input_files(
        {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    expect(job.get_by_test_id("photo-thumb")).to_have_count(1)
    expect(job.get_by_test_id("photo-thumb")).to_have_js_property("tagName", "IMG")
    job.get_by_test_id("resolution-input").fill("更换排水泵 replaced the drain pump")
    draw_signature(page)
    job.get_by_test_id("signer-name").fill("陈女士")
    job.get_by_test_id("finish-submit").click()


def server_record(app: Flask, order_id: Any) -> dict[str, Any]:
    """The order as the office sees it: status, signer, attachments and its timeline."""
    with app.app_context(), db.unit_of_work(app) as session:
        order = session.get(WorkOrder, order_id)
        attachments = list(
            session.scalars(select(Attachment).where(Attachment.work_order_id == order_id))
        )
        events = list(
            session.scalars(
                select(WorkOrderEvent)
                .where(WorkOrderEvent.work_order_id == order_id)
                .order_by(WorkOrderEvent.id)
            )
        )
        return {
            "status": order.status,
            "assignee_id": order.assignee_id,
            "signer_name": order.signer_name,
            "resolution": order.resolution,
            "attachments": sorted((a.kind, a.width, a.height) for a in attachments),
            "photo_sizes": [(a.width, a.height) for a in attachments if a.kind == "photo"],
            "actions": [e.action for e in events],
            "checklist": {
                item.key: item.value
                for item in session.scalars(
                    select(ChecklistItem).where(ChecklistItem.work_order_id == order_id)
                )
            },
            "event_count": session.scalar(
                select(func.count())
                .select_from(WorkOrderEvent)
                .where(WorkOrderEvent.work_order_id == order_id)
            ),
        }
