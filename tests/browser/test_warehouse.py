"""Warehouse staff work the parts queue: sign in, reserve from the nearest warehouse, issue to
the engineer's van; and, when no warehouse has enough, see where the part is and pick a place.

The server runs on its own throwaway database with committed data (the browser's requests come
from server threads, which cannot share the test's rolled-back connection) and serves the
built app from pwa/dist (`cd pwa && npm run build`, or `make pwa`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from server.actors import Actor
from server.db import db, utcnow
from server.inventory import reservations, service
from server.inventory.models import PartReservation, StockLevel
from tests.factories import (
    PASSWORD,
    make_part,
    make_technician,
    make_user,
    make_van,
    make_warehouse,
    make_work_order,
    stock,
)
from tests.serving import app_on_own_database, serve

SITE = {"lat": 31.2304, "lon": 121.4737}  # the factories' default site, central Shanghai
NEAR = {"lat": 31.2200, "lon": 121.4600}  # ~2 km away
FAR = {"lat": 30.2741, "lon": 120.1551}  # Hangzhou, ~165 km away


@pytest.fixture(scope="module")
def warehouse_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(database_url, "wh", pages=("warehouse/index.html",))


@pytest.fixture(scope="module")
def server_url(warehouse_app: Flask) -> Iterator[str]:
    yield from serve(warehouse_app)


@dataclass(frozen=True)
class Arranged:
    keeper_email: str
    number: str
    reservation_id: object
    part_id: object
    sku: str
    near_id: object
    near_code: str
    far_id: object
    far_code: str
    van_id: object
    van_code: str
    engineer: str


def arrange(
    app: Flask,
    *,
    near_quantity: int,
    far_quantity: int,
    requested: int,
    spare_van_quantity: int = 0,
) -> Arranged:
    """A keeper, a part in two warehouses, an engineer with a van assigned to an order that
    has requested the part; committed, since the live server reads it on other connections."""
    with app.app_context(), db.unit_of_work(app) as session:
        keeper = make_user(session, role="warehouse", name="仓管 赵敏")
        part = make_part(session)
        near = make_warehouse(session, location=NEAR, name="Central depot")
        far = make_warehouse(session, location=FAR, name="Hangzhou depot")
        stock(session, part=part, location=near, quantity=near_quantity)
        stock(session, part=part, location=far, quantity=far_quantity)
        engineer = make_user(session, role="technician", name="王工")
        technician = make_technician(session, user=engineer)
        van = make_van(session, technician=technician)
        if spare_van_quantity:
            other = make_technician(session)
            stock(
                session,
                part=part,
                location=make_van(session, technician=other),
                quantity=spare_van_quantity,
            )
        order = make_work_order(
            session,
            status="assigned",
            priority="high",
            assignee_id=technician.id,
            scheduled_start_at=datetime.now(UTC) + timedelta(days=1),
        )
        requested_row = reservations.request_parts(
            session,
            work_order_id=order.id,
            part_id=part.id,
            quantity=Decimal(requested),
            actor=Actor(kind="user", role="dispatcher", name="调度 李雷"),
            now=utcnow(),
        )
        return Arranged(
            keeper_email=keeper.email,
            number=order.number,
            reservation_id=requested_row.id,
            part_id=part.id,
            sku=part.sku,
            near_id=near.id,
            near_code=near.code,
            far_id=far.id,
            far_code=far.code,
            van_id=van.id,
            van_code=van.code,
            engineer=engineer.name,
        )


def sign_in(page: Page, email: str) -> None:
    form = page.get_by_test_id("login-form")
    form.get_by_test_id("login-input").fill(email)
    form.get_by_test_id("password-input").fill(PASSWORD)
    form.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_keeper_reserves_from_the_nearest_warehouse_then_issues_to_van(
    page, server_url, warehouse_app
):
    data = arrange(warehouse_app, near_quantity=10, far_quantity=10, requested=2)

    page.goto(server_url + "/warehouse/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    sign_in(page, data.keeper_email)
    expect(page.get_by_test_id("tab-queue")).to_have_attribute("aria-selected", "true")

    row = page.get_by_test_id(f"queue-row-{data.number}")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("queue-priority")).to_have_text("高")
    expect(row.get_by_test_id("queue-engineer")).to_have_text(data.engineer)
    expect(row).to_contain_text(data.sku)
    expect(row.get_by_test_id("queue-quantity")).to_have_text("2 件")
    expect(row.get_by_test_id("queue-status")).to_have_attribute("data-status", "requested")

    # The row's buttons stay disabled while its request is in flight.
    held = []
    page.route("**/api/v1/inventory/reservations/*/reserve", lambda route: held.append(route))
    row.get_by_test_id("action-reserve").click()
    expect(row.get_by_test_id("action-reserve")).to_be_disabled()
    expect(row.get_by_test_id("action-release")).to_be_disabled()
    expect(row.get_by_test_id("action-reserve")).to_have_attribute("aria-busy", "true")
    held[0].continue_()
    page.unroute("**/api/v1/inventory/reservations/*/reserve")

    expect(row.get_by_test_id("queue-status")).to_have_attribute("data-status", "reserved")
    expect(row.get_by_test_id("queue-location")).to_have_attribute(
        "data-location-id", str(data.near_id)
    )
    expect(row.get_by_test_id("queue-location")).to_contain_text(data.near_code)

    row.get_by_test_id("action-issue").click()
    expect(row.get_by_test_id("queue-status")).to_have_attribute("data-status", "issued")
    expect(row.get_by_test_id("queue-status")).to_have_text("已出库")
    expect(row.get_by_test_id("queue-location")).to_contain_text(data.van_code)
    expect(row.get_by_test_id("action-issue")).to_have_count(0)

    with warehouse_app.app_context(), db.unit_of_work(warehouse_app) as session:
        near = session.get(StockLevel, (data.part_id, data.near_id))
        far = session.get(StockLevel, (data.part_id, data.far_id))
        van = session.get(StockLevel, (data.part_id, data.van_id))
        assert (near.on_hand, near.reserved) == (Decimal(8), Decimal(0))
        assert (far.on_hand, far.reserved) == (Decimal(10), Decimal(0))
        assert (van.on_hand, van.reserved) == (Decimal(2), Decimal(2))
        reservation = session.get(PartReservation, data.reservation_id)
        assert (reservation.status, reservation.location_id) == ("issued", data.van_id)
        assert service.check_ledger(session) == []


def test_insufficient_stock_lists_where_the_part_is_in_english(page, server_url, warehouse_app):
    data = arrange(
        warehouse_app, near_quantity=2, far_quantity=1, requested=3, spare_van_quantity=5
    )

    page.goto(server_url + "/warehouse/")
    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
    sign_in(page, data.keeper_email)

    row = page.get_by_test_id(f"queue-row-{data.number}")
    expect(row.get_by_test_id("queue-status")).to_have_text("Requested")
    row.get_by_test_id("action-reserve").click()

    panel = page.get_by_test_id("shortage-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(f"Not enough stock: work order {data.number} needs 3 pcs")
    places = panel.get_by_test_id("shortage-location")
    expect(places).to_have_count(3)
    # Nearest first; the spare van has no position, so it comes last.
    expect(places.nth(0)).to_have_attribute("data-location-code", data.near_code)
    expect(places.nth(0).get_by_test_id("shortage-available")).to_have_text("2 pcs")
    expect(places.nth(0)).to_contain_text("Not enough here")
    expect(places.nth(1)).to_have_attribute("data-location-code", data.far_code)
    expect(places.nth(1)).to_contain_text("km")
    expect(places.nth(2).get_by_test_id("shortage-available")).to_have_text("5 pcs")
    expect(row.get_by_test_id("queue-status")).to_have_attribute("data-status", "requested")

    # Picking a place that has enough reserves it there.
    spare_van = places.nth(2).get_attribute("data-location-code")
    places.nth(2).get_by_test_id("shortage-reserve").click()
    expect(panel).to_have_count(0)
    expect(row.get_by_test_id("queue-status")).to_have_attribute("data-status", "reserved")
    expect(row.get_by_test_id("queue-location")).to_contain_text(f"In van {spare_van}")

    with warehouse_app.app_context(), db.unit_of_work(warehouse_app) as session:
        assert service.check_ledger(session) == []
