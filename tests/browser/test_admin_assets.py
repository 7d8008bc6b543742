"""An administrator looks after the installed base: signs in, finds an asset, reads its
history, records a meter reading (and is told, in Chinese, when the counter would go
backwards), plans monthly maintenance and finds it in the 90-day forecast.

The server runs on its own throwaway database with committed data (the browser's requests come
from server threads, which cannot share the test's rolled-back connection) and serves the
built app from pwa/dist, or from FIELDLINE_PWA_DIST.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from server.assets.models import MaintenancePlan, MeterReading
from server.customers.models import Customer, Site
from server.db import db
from server.i18n import translate
from tests.factories import (
    PASSWORD,
    bearer,
    make_customer,
    make_site,
    make_user,
    make_work_order,
)
from tests.serving import app_on_own_database, serve

ORG_TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def admin_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(database_url, "admin", pages=("admin/index.html",))


@pytest.fixture(scope="module")
def server_url(admin_app: Flask) -> Iterator[str]:
    yield from serve(admin_app)


@dataclass(frozen=True)
class Arranged:
    admin_email: str
    asset_id: str
    serial: str
    qr_code: str
    component_serial: str
    model_label: str
    model_id: str
    number: str


def arrange(app: Flask) -> Arranged:
    """An admin; a chiller with a running-hours counter, under warranty, with a compressor as
    its component, a repair on record and two readings; committed for the live server. The
    equipment is registered through the API, as an integrator would."""
    now = datetime.now(UTC)
    with app.app_context(), db.unit_of_work(app) as session:
        admin = make_user(session, role="admin", name="管理员 周婷")
        customer = make_customer(session, name="上海中心大厦物业")
        site = make_site(session, customer=customer, address="上海市浦东新区银城中路 501 号")
        headers = bearer(app, admin)
        ids = {"admin": admin.email, "customer": customer.id, "site": site.id}

    client = app.test_client()

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.json
        return response.json

    model = post(
        "/api/v1/asset-models",
        {
            "manufacturer": "Carrier",
            "model": "30XA-502",
            "kind": "air_conditioner",
            "meters": [{"code": "run_hours", "unit": "h", "counter": True}],
        },
    )
    asset = post(
        "/api/v1/assets",
        {
            "serial": "CH-30XA-0001",
            "model_id": model["id"],
            "site_id": str(ids["site"]),
            "name": "1 号冷水机组",
            "installed_on": "2025-06-01",
            "warranty_until": (now.astimezone(ORG_TZ).date() + timedelta(days=400)).isoformat(),
        },
    )
    component = post(
        "/api/v1/assets",
        {
            "serial": "CH-30XA-0001-C1",
            "model_id": model["id"],
            "site_id": str(ids["site"]),
            "name": "压缩机 A",
            "parent_id": asset["id"],
        },
    )
    for days_ago, hours in ((3, "1200"), (1, "1250")):
        post(
            f"/api/v1/assets/{asset['id']}/readings",
            {
                "meter": "run_hours",
                "value": hours,
                "at": (now - timedelta(days=days_ago)).isoformat(),
            },
        )
    with app.app_context(), db.unit_of_work(app) as session:
        order = make_work_order(
            session,
            customer=session.get(Customer, ids["customer"]),
            site=session.get(Site, ids["site"]),
            summary="冷水机组高压报警",
            asset_id=uuid.UUID(str(asset["id"])),
        )
        number = order.number
    return Arranged(
        admin_email=str(ids["admin"]),
        asset_id=str(asset["id"]),
        serial=str(asset["serial"]),
        qr_code=str(asset["qr_code"]),
        component_serial=str(component["serial"]),
        model_label="Carrier 30XA-502",
        model_id=str(model["id"]),
        number=number,
    )


def sign_in(page: Page, email: str) -> None:
    form = page.get_by_test_id("login-form")
    form.get_by_test_id("login-input").fill(email)
    form.get_by_test_id("password-input").fill(PASSWORD)
    form.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_admin_reads_history_records_a_reading_and_plans_monthly_maintenance(
    page: Page, server_url: str, admin_app: Flask
) -> None:
    data = arrange(admin_app)
    first_due = datetime.now(UTC).astimezone(ORG_TZ).date() + timedelta(days=10)

    page.goto(server_url + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    sign_in(page, data.admin_email)

    # Find the chiller by part of its serial.
    page.get_by_test_id("asset-search").fill("30XA-0001")
    page.get_by_test_id("asset-search-submit").click()
    row = page.get_by_test_id(f"asset-row-{data.serial}")
    expect(row).to_be_visible()
    expect(page.get_by_test_id(f"asset-row-{data.component_serial}")).to_be_visible()
    expect(row).to_contain_text("保修期内")
    row.get_by_role("link", name=data.serial).click()

    # Its data, warranty, component and QR link.
    detail = page.get_by_test_id("asset-detail")
    expect(page).to_have_url(re.compile(rf"#/assets/{data.asset_id}$"))
    expect(detail.get_by_test_id("asset-title")).to_contain_text(data.serial)
    expect(detail.get_by_test_id("asset-model")).to_have_text(data.model_label)
    expect(detail.get_by_test_id("warranty-badge")).to_have_text("保修期内")
    expect(detail.get_by_test_id("asset-components")).to_contain_text(data.component_serial)
    link = f"{server_url}/request/?asset={data.qr_code}"
    expect(detail.get_by_test_id("qr-link")).to_have_attribute("href", link)
    expect(detail.get_by_test_id("qr-link-text")).to_have_text(link)

    # The history holds the repair and both readings.
    history = detail.get_by_test_id("asset-history")
    expect(history.get_by_test_id("history-work_order")).to_contain_text(data.number)
    expect(history.get_by_test_id("history-work_order")).to_contain_text("冷水机组高压报警")
    expect(history.get_by_test_id("history-reading")).to_have_count(2)
    readings = detail.get_by_test_id("asset-readings")
    expect(readings.get_by_test_id("reading-row")).to_have_count(2)
    expect(
        readings.get_by_test_id("reading-row").first.get_by_test_id("reading-value")
    ).to_have_text("1,250 h")
    expect(readings.get_by_test_id("reading-chart")).to_be_visible()

    # A counter may not go backwards: the server says so, in Chinese, next to the value.
    form = readings.get_by_test_id("reading-form")
    form.get_by_test_id("reading-value-input").fill("1000")
    form.get_by_test_id("reading-submit").click()
    expect(form.get_by_test_id("reading-value-error")).to_have_text(
        translate("counter_went_down", "zh-CN")
    )
    expect(form.get_by_test_id("reading-value-input")).to_have_attribute("aria-invalid", "true")
    # A malformed number is caught before it is sent.
    form.get_by_test_id("reading-value-input").fill("12,5")
    form.get_by_test_id("reading-submit").click()
    expect(form.get_by_test_id("reading-value-error")).to_have_text("请输入数字，最多三位小数。")

    form.get_by_test_id("reading-value-input").fill("1262.5")
    form.get_by_test_id("reading-submit").click()
    expect(form.get_by_test_id("reading-saved")).to_contain_text("1,262.5 h")
    expect(form.get_by_test_id("reading-value-error")).to_have_count(0)
    expect(readings.get_by_test_id("reading-row")).to_have_count(3)
    expect(history.get_by_test_id("history-reading")).to_have_count(3)

    # A monthly plan on this asset, mornings only.
    plans = detail.get_by_test_id("asset-plans")
    expect(plans.get_by_test_id("plans-empty")).to_be_visible()
    plans.get_by_test_id("plan-add").click()
    editor = plans.get_by_test_id("plan-editor")
    editor.get_by_test_id("plan-window-start").fill("09:00")
    editor.get_by_test_id("plan-save").click()
    expect(editor.get_by_test_id("plan-error")).to_have_text("请先修改标出的内容。")
    expect(editor.get_by_test_id("plan-window-error")).to_have_text("开始和结束需同时填写。")
    editor.get_by_test_id("plan-name-input").fill("月度保养")
    editor.get_by_test_id("plan-every").fill("1")
    editor.get_by_test_id("plan-unit").select_option("month")
    editor.get_by_test_id("plan-start-on").fill(first_due.isoformat())
    editor.get_by_test_id("plan-window-end").fill("12:00")
    editor.get_by_test_id("plan-lead-days").fill("5")
    editor.get_by_test_id("plan-save").click()
    expect(plans.get_by_test_id("plans-notice")).to_have_text("已保存计划“月度保养”。")
    expect(plans.get_by_test_id("plan-editor")).to_have_count(0)
    expect(plans.get_by_test_id("plan-name")).to_have_text("月度保养")
    expect(plans.get_by_test_id("plan-rule")).to_have_text("每月，按固定日期")
    expect(plans.get_by_test_id("plan-next")).to_have_text(
        f"下次：{first_due.year}年{first_due.month}月{first_due.day}日"
    )

    with admin_app.app_context(), db.unit_of_work(admin_app) as session:
        asset_id = uuid.UUID(data.asset_id)
        plan = session.scalars(
            select(MaintenancePlan).where(MaintenancePlan.asset_id == asset_id)
        ).one()
        assert (plan.kind, plan.interval_count, plan.interval_unit, plan.anchor) == (
            "time",
            1,
            "month",
            "fixed",
        )
        assert (plan.start_on, plan.lead_days, str(plan.asset_id)) == (first_due, 5, data.asset_id)
        assert (plan.window_start.isoformat(), plan.window_end.isoformat()) == (
            "09:00:00",
            "12:00:00",
        )
        values = session.scalars(
            select(MeterReading.value)
            .where(MeterReading.asset_id == asset_id)
            .order_by(MeterReading.at)
        ).all()
        assert values == [Decimal("1200"), Decimal("1250"), Decimal("1262.5")]

    # The forecast lists it in the week of its first date, and again in the next two months.
    page.get_by_test_id("tab-forecast").click()
    forecast = page.get_by_test_id("forecast")
    mine = forecast.locator(f'[data-testid="forecast-entry"][data-serial="{data.serial}"]')
    expect(mine).to_have_count(3)
    monday = first_due - timedelta(days=first_due.weekday())
    week = forecast.get_by_test_id(f"forecast-week-{monday.isoformat()}")
    expect(week.locator(f'[data-serial="{data.serial}"]')).to_contain_text("月度保养")
    expect(week.locator(f'[data-serial="{data.serial}"]')).to_contain_text("计划中")

    # Narrowed to the chiller's model it stays; the entry leads back to the asset.
    forecast.get_by_test_id("forecast-model").select_option(data.model_id)
    expect(mine).to_have_count(3)
    mine.first.get_by_role("link", name=data.serial).click()
    expect(page.get_by_test_id("asset-title")).to_contain_text(data.serial)

    # The QR link opens the public request form with the sticker's code filled in.
    page.goto(link)
    expect(page.locator('input[name="asset_serial"]')).to_have_value(data.qr_code)


def test_roles_decide_what_the_screens_offer(page: Page, server_url: str, admin_app: Flask) -> None:
    """A technician is turned away; a manager plans maintenance but records no readings; the
    screens also speak English."""
    with admin_app.app_context(), db.unit_of_work(admin_app) as session:
        technician = make_user(session, role="technician").email
        manager = make_user(session, role="manager", name="Manager Li").email
        site = make_site(session)
        headers = bearer(admin_app, make_user(session, role="admin"))
        site_id = str(site.id)
    client = admin_app.test_client()
    model = client.post(
        "/api/v1/asset-models",
        json={"manufacturer": "Otis", "model": "Gen2-R", "kind": "lift", "meters": []},
        headers=headers,
    ).json
    asset = client.post(
        "/api/v1/assets",
        json={"serial": "LIFT-GEN2-7", "model_id": model["id"], "site_id": site_id},
        headers=headers,
    ).json

    page.goto(server_url + "/admin/")
    sign_in(page, technician)
    expect(page.get_by_test_id("not-allowed")).to_have_text(
        "设备管理仅供管理员、经理和调度员使用。"
    )
    expect(page.get_by_test_id("tab-assets")).to_have_count(0)
    page.get_by_test_id("logout").click()

    page.goto(f"{server_url}/admin/?lang=en#/assets/{asset['id']}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    sign_in(page, manager)
    detail = page.get_by_test_id("asset-detail")
    expect(detail.get_by_test_id("asset-title")).to_contain_text("LIFT-GEN2-7")
    expect(detail.get_by_test_id("warranty-badge")).to_have_count(0)
    expect(detail.get_by_test_id("asset-history")).to_contain_text("Nothing recorded yet.")
    expect(detail.get_by_test_id("asset-readings")).to_contain_text("This asset has no meters.")
    expect(detail.get_by_test_id("reading-form")).to_have_count(0)
    plans = detail.get_by_test_id("asset-plans")
    plans.get_by_test_id("plan-add").click()
    editor = plans.get_by_test_id("plan-editor")
    # A lift without meters can only be planned by time.
    expect(editor.get_by_test_id("plan-kind-meter")).to_be_disabled()
    editor.get_by_test_id("plan-target-model").check()
    editor.get_by_test_id("plan-name-input").fill("Quarterly safety check")
    editor.get_by_test_id("plan-every").fill("3")
    editor.get_by_test_id("plan-anchor").select_option("completion")
    editor.get_by_test_id("plan-save").click()
    expect(plans.get_by_test_id("plan-rule")).to_have_text(
        "Every 3 months, from the last completion"
    )
    expect(plans).to_contain_text("For every Otis Gen2-R")
    today = datetime.now(UTC).astimezone(ORG_TZ).date()
    shown = f"{today:%b} {today.day}, {today.year}"
    expect(plans.get_by_test_id("plan-next")).to_have_text(f"Next: {shown}")

    # Skip the first one: the next date moves on.
    plans.get_by_test_id("plan-skip").click()
    expect(plans.get_by_test_id("plans-notice")).to_have_text(
        f"The maintenance of {shown} is skipped."
    )
    expect(plans.get_by_test_id("plan-next")).not_to_have_text(f"Next: {shown}")
    expect(plans.get_by_test_id("plan-next")).to_contain_text("Next: ")
    expect(detail.get_by_test_id("asset-history")).to_contain_text("Skipped")

    # Edit: every two months instead.
    plans.get_by_test_id("plan-edit").click()
    editor = plans.get_by_test_id("plan-editor")
    expect(editor.get_by_test_id("plan-name-input")).to_have_value("Quarterly safety check")
    expect(editor.get_by_test_id("plan-target-model")).to_be_checked()
    editor.get_by_test_id("plan-every").fill("2")
    editor.get_by_test_id("plan-save").click()
    expect(plans.get_by_test_id("plan-rule")).to_have_text(
        "Every 2 months, from the last completion"
    )

    plans.get_by_test_id("plan-pause").click()
    expect(plans.get_by_test_id("plan-paused")).to_have_text("Paused")
    expect(plans.get_by_test_id("plan-skip")).to_be_disabled()
    with admin_app.app_context(), db.unit_of_work(admin_app) as session:
        plan = session.scalars(
            select(MaintenancePlan).where(MaintenancePlan.model_id == uuid.UUID(model["id"]))
        ).one()
        assert (plan.asset_id, plan.anchor, plan.interval_count, plan.paused) == (
            None,
            "completion",
            2,
            True,
        )
