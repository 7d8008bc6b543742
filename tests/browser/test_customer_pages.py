"""Customers on a phone: send a request (with a photo) on /request/ and follow it on
/track/<code> while the job moves, through to confirming and rating it; see the server's own
field messages next to the fields; land on a clear page with a bad link.

The server runs on its own throwaway database with committed data (the browser's requests come
from server threads, which cannot share the test's rolled-back connection) and serves the built
apps from pwa/dist (`cd pwa && npm run build`, or FIELDLINE_PWA_DIST). The work order's
progress is driven through the service layer between page checks; the page's 30-second refresh
is brought forward with Playwright's clock instead of waiting for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from server.actors import SYSTEM, Actor
from server.db import db, utcnow
from server.workorders import service as workorders_service
from server.workorders.models import Attachment, WorkOrder, WorkOrderRating
from tests.factories import actor_for, make_technician, make_user, make_work_order
from tests.serving import app_on_own_database, serve

PHONE = {"width": 360, "height": 740}
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def customer_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(
        database_url, "cust", pages=("request/index.html", "track/index.html")
    )


@pytest.fixture(scope="module")
def server_url(customer_app: Flask) -> Iterator[str]:
    yield from serve(customer_app)


@pytest.fixture
def phone(browser) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="zh-CN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 31.2304, "longitude": 121.4737},
        permissions=["geolocation"],
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def big_photo(tmp_path: Path) -> Path:
    """A 4000 x 3000 camera-sized photo, with detail so that it does not compress to nothing."""
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    path = tmp_path / "IMG_2041.JPG"
    image.save(path, format="JPEG", quality=92)
    return path


def shown_time(at: datetime) -> str:
    """What the page shows for an instant, as format.ts writes it (Shanghai time)."""
    local, today = at.astimezone(SHANGHAI), datetime.now(SHANGHAI)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def advance(app: Flask, number: str, action: str, actor: Actor, **change: object) -> None:
    """One life-cycle step of the order, committed, as staff or the engineer's phone would."""
    with app.app_context(), db.unit_of_work(app) as session:
        order = workorders_service.find_by_number(session, number=number)
        workorders_service.apply_transition(
            session,
            work_order_id=order.id,
            actor=actor,
            change=workorders_service.TransitionInput(action=action, **change),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )


def plan_eta(app: Flask, number: str, eta_at: datetime) -> None:
    """The planned arrival moves (re-planned as the engineer drives)."""
    with app.app_context(), db.unit_of_work(app) as session:
        workorders_service.find_by_number(session, number=number).eta_at = eta_at


def refresh_by_poll(page: Page) -> None:
    """The page's own 30-second refresh, brought forward."""
    page.clock.fast_forward(31_000)


def fill_request(page: Page, *, phone: str = "+86 139-1234-5678", email: str = "") -> None:
    page.get_by_test_id("field-name").fill("Lin Wei")
    page.get_by_test_id("field-phone").fill(phone)
    if email:
        page.get_by_test_id("field-email").fill(email)
    page.get_by_test_id("field-address").fill("Room 1203, 88 Century Avenue, Pudong, Shanghai")
    page.get_by_test_id("field-summary").fill("Air conditioner not cooling")
    page.get_by_test_id("field-description").fill("Blows warm air since this morning, E4 shown.")


def test_request_is_tracked_through_to_confirmation_and_rating(
    phone: Page, server_url: str, customer_app: Flask, tmp_path: Path
) -> None:
    page = phone
    page.clock.install(time=datetime.now(UTC))

    # A QR code on the equipment links to the form with its serial.
    page.goto(server_url + "/request/?asset=AC-7781-QR")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_test_id("request-submit")).to_have_text("提交报修")
    expect(page.get_by_test_id("field-asset-serial")).to_have_value("AC-7781-QR")
    expect(page.get_by_test_id("field-website")).not_to_be_in_viewport()
    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("request-submit")).to_have_text("Send request")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    fill_request(page, email="lin.wei@example.com")
    page.get_by_test_id("location-use").click()
    expect(page.get_by_test_id("location-shared")).to_contain_text("31.23040, 121.47370")
    page.get_by_test_id("field-photo").set_input_files(str(big_photo(tmp_path)))
    expect(page.get_by_test_id("photo-chosen")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("photo-size")).to_contain_text("IMG_2041.jpg")
    page.get_by_test_id("request-submit").click()

    receipt = page.get_by_test_id("request-receipt")
    expect(receipt).to_be_visible()
    expect(page.get_by_test_id("request-photo-status")).to_have_text("Photo uploaded.")
    number = page.get_by_test_id("request-number").inner_text()
    expect(page.get_by_test_id("request-duplicate")).to_have_count(0)
    tracking_url = page.get_by_test_id("request-tracking-url").inner_text()
    assert tracking_url.startswith(server_url + "/track/")

    with customer_app.app_context(), db.unit_of_work(customer_app) as session:
        order = workorders_service.find_by_number(session, number=number)
        assert order.channel == "web"
        assert order.status == "new"
        assert order.site.location is not None
        response_due = order.response_due_at
        needed = {need["code"]: int(need.get("level", 1)) for need in order.required_skills}
        photo = session.scalars(
            select(Attachment).where(Attachment.work_order_id == order.id)
        ).one()
        # Made small in the browser: a JPEG of at most 1600 px.
        assert (photo.mime, photo.public, max(photo.width, photo.height)) == (
            "image/jpeg",
            True,
            1600,
        )
        dispatcher = actor_for(make_user(session, role="dispatcher", name="Dispatch Desk"))
        engineer_user = make_user(session, role="technician", name="Alex Chen")
        technician = make_technician(session, user=engineer_user, skills=needed or None)
        engineer = actor_for(engineer_user, technician)
        technician_id = technician.id
    # Until someone has the job, the ETA is the response target (none without an SLA policy).
    if response_due is None:
        expect(page.get_by_test_id("request-eta")).to_have_count(0)
    else:
        expect(page.get_by_test_id("request-eta")).to_have_text(shown_time(response_due))

    page.get_by_test_id("request-track-link").click()
    expect(page).to_have_url(tracking_url)
    view = page.get_by_test_id("track-view")
    expect(view).to_have_attribute("data-status", "new")
    expect(page.get_by_test_id("track-number")).to_have_text(f"Request {number}")
    expect(page.get_by_test_id("step-new")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-engineer")).to_have_text("We are finding an engineer for you")
    if response_due is None:
        expect(page.get_by_test_id("track-eta")).to_have_count(0)
    else:
        expect(page.get_by_test_id("track-eta")).to_have_attribute("data-kind", "response")
        expect(page.get_by_test_id("track-eta-time")).to_have_text(shown_time(response_due))
    expect(page.get_by_test_id("track-photos").locator("img")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Assigned, with a planned arrival.
    advance(customer_app, number, "assign", dispatcher, technician_id=technician_id)
    first_eta = (datetime.now(UTC) + timedelta(minutes=95)).replace(second=0, microsecond=0)
    plan_eta(customer_app, number, first_eta)
    refresh_by_poll(page)
    expect(view).to_have_attribute("data-status", "assigned")
    expect(page.get_by_test_id("step-new")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("step-assigned")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-engineer")).to_have_text("Alex")
    expect(page.get_by_test_id("track-eta")).to_have_attribute("data-kind", "arrival")
    expect(page.get_by_test_id("track-eta-time")).to_have_text(shown_time(first_eta))

    # On the way; the arrival moves as the engineer drives.
    advance(customer_app, number, "accept", engineer)
    advance(customer_app, number, "start_travel", engineer)
    refresh_by_poll(page)
    expect(page.get_by_test_id("step-en_route")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-eta-time")).to_have_text(shown_time(first_eta))
    nearer = (datetime.now(UTC) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    plan_eta(customer_app, number, nearer)
    refresh_by_poll(page)
    expect(page.get_by_test_id("track-eta-time")).to_have_text(shown_time(nearer))
    expect(page.get_by_test_id("track-eta-minutes")).to_contain_text("min")

    # On site: no more ETA.
    advance(customer_app, number, "arrive", engineer)
    refresh_by_poll(page)
    expect(page.get_by_test_id("step-in_progress")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-eta")).to_have_count(0)
    expect(page.get_by_test_id("track-confirm")).to_have_count(0)

    # Completed: the customer confirms.
    advance(customer_app, number, "complete", engineer, resolution="Refilled refrigerant.")
    refresh_by_poll(page)
    expect(page.get_by_test_id("step-completed")).to_have_attribute("data-state", "current")
    timeline = page.get_by_test_id("track-timeline")
    for action in ("create", "assign", "accept", "start_travel", "arrive", "complete"):
        expect(timeline.locator(f"li[data-action='{action}']")).to_have_count(1)
    expect(timeline.locator("li").first).to_contain_text("waiting for your confirmation")
    page.get_by_test_id("track-confirm-yes").click()
    expect(view).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("step-closed")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("track-confirm")).to_have_count(0)

    # Then rates it: a score is needed first.
    page.get_by_test_id("rate-submit").click()
    expect(page.get_by_test_id("rate-error")).to_have_text("Choose 1 to 5 stars.")
    page.get_by_test_id("rate-star-4").click()
    page.get_by_test_id("rate-comment").fill("Quick and tidy.")
    page.get_by_test_id("rate-submit").click()
    expect(page.get_by_test_id("track-rating")).to_have_text("Your rating: 4 / 5")
    expect(page.get_by_test_id("track-rated")).to_contain_text("Thank you for your rating!")
    expect(page.get_by_test_id("track-rate")).to_have_count(0)

    # Already rated: coming back shows the rating, not the form.
    page.reload()
    expect(page.get_by_test_id("track-rating")).to_have_text("Your rating: 4 / 5")
    expect(page.get_by_test_id("track-rate")).to_have_count(0)

    with customer_app.app_context(), db.unit_of_work(customer_app) as session:
        order = workorders_service.find_by_number(session, number=number)
        assert order.status == "closed"
        rating = session.get(WorkOrderRating, order.id)
        assert (rating.score, rating.comment) == (4, "Quick and tidy.")


def test_server_field_errors_show_next_to_the_field_in_chinese(
    phone: Page, server_url: str, customer_app: Flask
) -> None:
    page = phone
    page.goto(server_url + "/request/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    # The page's own checks first: nothing is sent.
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/v1/intake/" in r.url else None)
    page.get_by_test_id("request-submit").click()
    expect(page.get_by_test_id("request-error")).to_have_text("请检查标出的字段。")
    expect(page.get_by_test_id("error-name")).to_have_text("此项为必填项。")
    expect(page.get_by_test_id("error-phone")).to_have_text("此项为必填项。")
    expect(page.get_by_test_id("error-summary")).to_have_text("此项为必填项。")
    expect(page.get_by_test_id("field-name")).to_be_focused()
    page.get_by_test_id("field-phone").fill("12-34")
    page.get_by_test_id("field-phone").blur()
    expect(page.get_by_test_id("error-phone")).to_contain_text("请输入有效的电话号码")
    assert sent == []

    # An address the page takes but the server does not: the server's message, in Chinese.
    fill_request(page, phone="021 6888 1234", email="lin.wei@example_shop.com")
    page.get_by_test_id("field-summary").fill("空调漏水 E7")
    expect(page.get_by_test_id("error-phone")).to_have_count(0)
    page.get_by_test_id("request-submit").click()
    expect(page.get_by_test_id("error-email")).to_have_text("不是有效的邮箱地址。")
    expect(page.get_by_test_id("field-email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("field-email")).to_be_focused()
    expect(page.get_by_test_id("request-error")).to_have_text("提交的数据有误，请检查标出的字段。")
    assert len(sent) == 1
    assert orders_about(customer_app, "空调漏水 E7") == 0

    # Editing the field clears the server's message; a good address goes through.
    page.get_by_test_id("field-email").fill("lin.wei@example.com")
    expect(page.get_by_test_id("error-email")).to_have_count(0)
    page.get_by_test_id("request-submit").click()
    expect(page.get_by_test_id("request-receipt")).to_contain_text("已收到您的报修")
    expect(page.get_by_test_id("request-number")).to_have_text(re.compile(r"^WO-\d{6}-\d{4}$"))
    assert orders_about(customer_app, "空调漏水 E7") == 1


def orders_about(app: Flask, summary: str) -> int:
    with app.app_context(), db.unit_of_work(app) as session:
        return session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.summary == summary)
        )


def test_a_bad_tracking_link_says_so(phone: Page, server_url: str) -> None:
    page = phone
    page.goto(server_url + "/track/NoSuchCode12345")
    expect(page.get_by_test_id("track-invalid")).to_contain_text("链接无效或已过期")
    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.get_by_test_id("track-invalid")).to_contain_text("This link is not valid")
    page.get_by_test_id("track-new-request").click()
    expect(page).to_have_url(server_url + "/request/")
    page.goto(server_url + "/track/")
    expect(page.get_by_test_id("track-invalid")).to_contain_text("full link")


def test_a_job_that_moved_on_meanwhile_refreshes_instead_of_failing(
    phone: Page, server_url: str, customer_app: Flask
) -> None:
    """The customer opens the page on a completed job, and it closes itself (auto-close)
    before they press confirm: they are told, and offered the rating instead."""
    page = phone
    with customer_app.app_context(), db.unit_of_work(customer_app) as session:
        engineer = make_technician(session, user=make_user(session, role="technician", name="王伟"))
        order = make_work_order(
            session, status="completed", assignee_id=engineer.id, resolution="更换滤网"
        )
        number, code = order.number, order.tracking_code
    page.goto(f"{server_url}/track/{code}")
    expect(page.get_by_test_id("step-completed")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-engineer")).to_have_text("王师傅")

    advance(customer_app, number, "auto_close", SYSTEM)
    page.get_by_test_id("track-confirm-yes").click()
    expect(page.get_by_test_id("track-notice")).to_have_text(
        "此操作已不可用，工单状态已经变化，页面已更新。"
    )
    expect(page.get_by_test_id("track-view")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("track-confirm")).to_have_count(0)
    expect(page.get_by_test_id("track-rate")).to_be_visible()

    # Rejecting needs a reason, on the page and on the server.
    with customer_app.app_context(), db.unit_of_work(customer_app) as session:
        other = make_work_order(session, status="completed", resolution="更换滤网")
        other_code = other.tracking_code
    page.goto(f"{server_url}/track/{other_code}")
    page.get_by_test_id("track-confirm-no").click()
    page.get_by_test_id("track-reject-send").click()
    expect(page.get_by_test_id("track-reject-error")).to_have_text("此项为必填项。")
    page.get_by_test_id("track-reject-reason").fill("还是不制冷")
    page.get_by_test_id("track-reject-send").click()
    expect(page.get_by_test_id("track-notice")).to_have_text("已收到您的反馈，工程师会继续处理。")
    expect(page.get_by_test_id("step-in_progress")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-timeline").locator("li").first).to_have_attribute(
        "data-action", "customer_reject"
    )


@pytest.mark.parametrize(
    ("status", "shown", "current"),
    [("on_hold", "track-on-hold", "in_progress"), ("cancelled", "track-cancelled", None)],
)
def test_held_and_cancelled_jobs_say_so(
    phone: Page, server_url: str, customer_app: Flask, status: str, shown: str, current: str | None
) -> None:
    page = phone
    with customer_app.app_context(), db.unit_of_work(customer_app) as session:
        code = make_work_order(session, status=status).tracking_code
    page.goto(f"{server_url}/track/{code}")
    expect(page.get_by_test_id(shown)).to_be_visible()
    stepper = page.get_by_test_id("track-stepper")
    expect(stepper).to_have_attribute("data-condition", status)
    expect(stepper.locator("[data-state='current']")).to_have_count(1 if current else 0)
    if current:
        expect(page.get_by_test_id(f"step-{current}")).to_have_attribute("data-state", "current")
    expect(page.get_by_test_id("track-confirm")).to_have_count(0)
    expect(page.get_by_test_id("track-rate")).to_have_count(0)


def test_a_repeated_request_gets_the_open_order_number(phone: Page, server_url: str) -> None:
    page = phone
    numbers = []
    for _ in range(2):
        page.goto(server_url + "/request/?lang=en")
        fill_request(page, phone="+86 137-0000-1111")
        page.get_by_test_id("field-summary").fill("Water heater leaking under the sink")
        page.get_by_test_id("location-use").click()
        expect(page.get_by_test_id("location-shared")).to_be_visible()
        page.get_by_test_id("request-submit").click()
        expect(page.get_by_test_id("request-receipt")).to_be_visible()
        numbers.append(page.get_by_test_id("request-number").inner_text())
        if len(numbers) == 1:
            expect(page.get_by_test_id("request-duplicate")).to_have_count(0)
    assert numbers[0] == numbers[1]
    expect(page.get_by_test_id("request-duplicate")).to_contain_text(
        f"This repeats request {numbers[0]}, which is already open"
    )
