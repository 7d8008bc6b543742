"""Concurrency is the normal case: real transactions on their own connections, committed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select

from server.db import db, utcnow
from server.workorders.models import WorkOrder, WorkOrderEvent
from tests.conftest import create_test_app
from tests.dbutil import throwaway_database
from tests.factories import actor_for, bearer, make_customer, make_technician, make_user


@pytest.fixture(scope="module")
def live_app(database_url: str) -> Iterator[Flask]:
    name = f"{make_url(database_url).database}_conc"
    with throwaway_database(database_url, name) as url:
        app = create_test_app(url)
        yield app
        app.extensions["db"].engine.dispose()


def _run_together(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
        assert not worker.is_alive()


def test_twenty_concurrent_creations_get_twenty_distinct_numbers(live_app):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        agent = make_user(session, role="agent")
        customer = make_customer(session)
        customer_id, headers = customer.id, bearer(live_app, agent)
    barrier = threading.Barrier(20)
    results: list[tuple[int, str]] = []

    def create() -> None:
        client = live_app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/work-orders",
            json={"customer_id": str(customer_id), "summary": "并发创建 concurrent"},
            headers=headers,
        )
        results.append((response.status_code, response.json.get("number", "")))

    _run_together([threading.Thread(target=create) for _ in range(20)])
    assert [status for status, _ in results] == [201] * 20
    numbers = [number for _, number in results]
    assert len(set(numbers)) == 20
    suffixes = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert suffixes == list(range(suffixes[0], suffixes[0] + 20))


def test_two_dispatchers_assign_the_same_order_one_wins(live_app):
    from server.workorders import service as workorders_service

    with live_app.app_context(), db.unit_of_work(live_app) as session:
        first = make_user(session, role="dispatcher")
        second = make_user(session, role="dispatcher")
        tech_a = make_technician(session)
        tech_b = make_technician(session)
        order = workorders_service.create_work_order(
            session,
            actor=actor_for(first),
            customer_id=make_customer(session).id,
            summary="抢单 race",
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
        order_id = order.id
        headers = [bearer(live_app, first), bearer(live_app, second)]
        technicians = [tech_a.id, tech_b.id]
    barrier = threading.Barrier(2)
    outcomes: list[int] = []

    def assign(index: int) -> None:
        client = live_app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/work-orders/{order_id}/transitions",
            json={"action": "assign", "technician_id": str(technicians[index])},
            headers={**headers[index], "If-Match": '"1"'},
        )
        outcomes.append(response.status_code)

    _run_together([threading.Thread(target=assign, args=(i,)) for i in range(2)])
    assert sorted(outcomes) == [200, 412]
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        assigns = session.scalar(
            select(func.count())
            .select_from(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == order_id, WorkOrderEvent.action == "assign")
        )
        assert assigns == 1
        assert session.get(WorkOrder, order_id).version == 2


def test_one_op_id_sent_twice_at_once_applies_once(live_app):
    from server.workorders import service as workorders_service

    with live_app.app_context(), db.unit_of_work(live_app) as session:
        tech = make_technician(session)
        order = workorders_service.create_work_order(
            session,
            actor=actor_for(make_user(session, role="agent")),
            customer_id=make_customer(session).id,
            summary="重放 replay",
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
        order.status, order.assignee_id = "assigned", tech.id
        order_id, headers = order.id, bearer(live_app, tech.user)
    barrier = threading.Barrier(2)
    outcomes: list[int] = []

    def accept() -> None:
        client = live_app.test_client()
        barrier.wait()
        response = client.post(
            f"/api/v1/work-orders/{order_id}/transitions",
            json={"action": "accept", "op_id": "phone-op-42-accept"},
            headers=headers,
        )
        outcomes.append(response.status_code)

    _run_together([threading.Thread(target=accept) for _ in range(2)])
    # One applies; the other either sees it applied (200, nothing changed) or lost the race on
    # the unique op id (409 duplicate_op) — never a second event, never a 500.
    assert 200 in outcomes
    assert set(outcomes) <= {200, 409}
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        events = session.scalars(
            select(WorkOrderEvent).where(WorkOrderEvent.op_id == "phone-op-42-accept")
        ).all()
        assert len(events) == 1
        assert session.get(WorkOrder, order_id).version == 2


def test_two_retries_of_one_api_request_at_once_make_one_order(live_app):
    from server.auth import apikeys

    with live_app.app_context(), db.unit_of_work(live_app) as session:
        key = apikeys.create_api_key(session, name="flaky CRM", kind="api").key
        customer_id = make_customer(session).id
    body = {"external_ref": "CRM-RACE-1", "customer_id": str(customer_id), "summary": "空调不制冷"}
    barrier = threading.Barrier(4)
    results: list[tuple[int, str]] = []

    def send() -> None:
        client = live_app.test_client()
        barrier.wait()
        response = client.post(
            "/api/v1/intake/api", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        results.append((response.status_code, response.json.get("number", "")))

    _run_together([threading.Thread(target=send) for _ in range(4)])
    assert sorted(status for status, _ in results) == [200, 200, 200, 201]
    assert len({number for _, number in results}) == 1
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        count = session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.customer_id == customer_id)
        )
        assert count == 1
