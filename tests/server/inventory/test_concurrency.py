"""Two hundred reservations race for fifty parts: real transactions on their own connections."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select

from server.db import db
from server.inventory import service
from server.inventory.models import PartReservation, StockLevel
from tests.conftest import create_test_app
from tests.dbutil import throwaway_database
from tests.factories import bearer, make_part, make_user, make_warehouse, make_work_order, stock


@pytest.fixture(scope="module")
def live_app(database_url: str) -> Iterator[Flask]:
    name = f"{make_url(database_url).database}_inv"
    with throwaway_database(database_url, name) as url:
        app = create_test_app(url, DB_POOL_SIZE=20)
        yield app
        app.extensions["db"].engine.dispose()


def test_two_hundred_reservations_for_fifty_units(live_app):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        keeper = make_user(session, role="warehouse")
        part = make_part(session)
        warehouse = make_warehouse(session)
        stock(session, part=part, location=warehouse, quantity=50)
        orders = [make_work_order(session).id for _ in range(40)]
        headers = bearer(live_app, keeper)
        part_id, warehouse_id = part.id, warehouse.id
    barrier = threading.Barrier(200)
    statuses: list[int] = []
    errors: list[str] = []

    def reserve(n: int) -> None:
        client = live_app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/inventory/reservations",
            json={"work_order_id": str(orders[n % 40]), "part_id": str(part_id), "quantity": 1},
            headers=headers,
        )
        statuses.append(response.status_code)
        if response.status_code == 409:
            errors.append(response.json["error"])

    threads = [threading.Thread(target=reserve, args=(n,)) for n in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert sorted(set(statuses)) == [201, 409]
    assert statuses.count(201) == 50
    assert statuses.count(409) == 150
    assert set(errors) == {"insufficient_stock"}
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        level = session.get(StockLevel, (part_id, warehouse_id))
        assert (level.on_hand, level.reserved) == (Decimal(50), Decimal(50))
        held = session.scalar(
            select(func.count())
            .select_from(PartReservation)
            .where(PartReservation.part_id == part_id, PartReservation.status == "reserved")
        )
        assert held == 50
        # Nothing half-written: the refused requests left no reservation behind.
        assert (
            session.scalar(
                select(func.count())
                .select_from(PartReservation)
                .where(PartReservation.part_id == part_id)
            )
            == 50
        )
        assert service.check_ledger(session) == []
