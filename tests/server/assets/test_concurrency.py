"""Exactly-once generation: two generators on their own connections, at the same moment and
one waiting on the other's open transaction, against PostgreSQL with committed data."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, make_url, select, text

from server.assets import generation
from server.assets.models import MaintenanceOccurrence
from server.auth import apikeys
from server.db import db
from server.workorders.models import WorkOrder
from tests.conftest import create_test_app
from tests.dbutil import throwaway_database
from tests.server.assets.conftest import TZ, make_asset, make_model, make_plan, make_template

NOW = datetime(2026, 1, 14, 2, 0, tzinfo=UTC)
ASSETS = 12
ALARMS = 8


@pytest.fixture(scope="module")
def live_app(database_url: str) -> Iterator[Flask]:
    name = f"{make_url(database_url).database}_assets"
    with throwaway_database(database_url, name) as url:
        app = create_test_app(url, DB_POOL_SIZE=6)
        yield app
        app.extensions["db"].engine.dispose()


def _arrange(app: Flask) -> list:
    with app.app_context(), db.unit_of_work(app) as session:
        model = make_model(session, template=make_template(session))
        for _ in range(ASSETS):
            make_asset(session, model=model)
        plan = make_plan(session, model_id=model.id)
        return [plan.id]


def _generate(app: Flask, results: list, errors: list, *, before=None, hold=None) -> None:
    try:
        with app.app_context(), db.unit_of_work(app) as session:
            if before is not None:
                before.wait(timeout=60)
            outcome = generation.generate_due(session, now=NOW, timezone=TZ)
            results.append(outcome)
            if hold is not None:
                hold()
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(exc)


def _counts(app: Flask, plan_ids: list) -> tuple[int, int, int]:
    with app.app_context(), db.unit_of_work(app) as session:
        occurrences = session.scalar(
            select(func.count())
            .select_from(MaintenanceOccurrence)
            .where(MaintenanceOccurrence.plan_id.in_(plan_ids))
        )
        orders = session.scalar(
            select(func.count(func.distinct(MaintenanceOccurrence.work_order_id))).where(
                MaintenanceOccurrence.plan_id.in_(plan_ids)
            )
        )
        maintenance_orders = session.scalar(
            select(func.count())
            .select_from(WorkOrder)
            .join(MaintenanceOccurrence, MaintenanceOccurrence.work_order_id == WorkOrder.id)
            .where(MaintenanceOccurrence.plan_id.in_(plan_ids), WorkOrder.type == "maintenance")
        )
        return occurrences, orders, maintenance_orders


def test_two_generators_at_the_same_moment_create_each_order_once(live_app):
    plan_ids = _arrange(live_app)
    start = threading.Barrier(2)
    results: list = []
    errors: list = []
    threads = [
        threading.Thread(
            target=_generate, args=(live_app, results, errors), kwargs={"before": start}
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert errors == []
    assert sum(len(r.created) for r in results) == ASSETS
    assert _counts(live_app, plan_ids) == (ASSETS, ASSETS, ASSETS)
    # A third run, later, finds every occurrence taken.
    again: list = []
    _generate(live_app, again, errors)
    assert again[0].created == []
    assert _counts(live_app, plan_ids) == (ASSETS, ASSETS, ASSETS)


def test_a_generator_waiting_on_another_open_transaction_creates_nothing(live_app):
    """The first generator has inserted every occurrence but not committed; the second one's
    inserts wait on those rows, and once the first commits they do nothing."""
    plan_ids = _arrange(live_app)
    first_done, second_waiting = threading.Event(), threading.Event()
    results_first: list = []
    results_second: list = []
    errors: list = []

    def hold() -> None:
        first_done.set()
        second_waiting.wait(timeout=60)

    first = threading.Thread(
        target=_generate, args=(live_app, results_first, errors), kwargs={"hold": hold}
    )
    first.start()
    assert first_done.wait(timeout=60)
    second = threading.Thread(target=_generate, args=(live_app, results_second, errors))
    second.start()
    # Watch from a third connection until the second generator waits on a row lock.
    with live_app.extensions["db"].engine.connect() as watcher:
        for _ in range(600):
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                break
            second.join(timeout=0.05)
        assert waiting, "the second generator never waited on the first one's rows"
    second_waiting.set()
    first.join(timeout=120)
    second.join(timeout=120)
    assert not first.is_alive()
    assert not second.is_alive()
    assert errors == []
    assert len(results_first[0].created) == ASSETS
    assert results_second[0].created == []
    assert results_second[0].failed == []
    assert _counts(live_app, plan_ids) == (ASSETS, ASSETS, ASSETS)


def test_two_alarms_from_one_asset_at_the_same_moment_open_one_order(live_app):
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        asset = make_asset(session, model=make_model(session))
        # A gateway each: requests with one key queue behind each other on the key's row.
        gateways = [
            apikeys.create_api_key(
                session, name=f"BMS {n}", kind="iot", customer_id=asset.customer_id
            )
            for n in range(ALARMS)
        ]
        keys = [(g.key, g.api_key.signing_secret) for g in gateways]
        serial, asset_id = asset.serial, asset.id
    start = threading.Barrier(ALARMS)
    outcomes: list[str] = []

    def alarm(n: int) -> None:
        body = json.dumps(
            {
                "asset_serial": serial,
                "alarm_code": "E1",
                "message": f"高压保护 {n}",
                "occurred_at": f"2026-11-23T10:0{n}:00+08:00",
            }
        ).encode()
        key, secret = keys[n]
        ts = str(int(time.time()))
        headers = {
            "Authorization": f"Bearer {key}",
            "X-Timestamp": ts,
            "X-Signature": f"sha256={apikeys.sign(secret, ts, body)}",
            "Content-Type": "application/json",
        }
        client = live_app.test_client()
        start.wait(timeout=60)
        response = client.post("/api/v1/intake/iot", data=body, headers=headers)
        outcomes.append(response.json.get("outcome", str(response.status_code)))

    threads = [threading.Thread(target=alarm, args=(n,)) for n in range(ALARMS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert sorted(outcomes) == ["created"] + ["duplicate"] * (ALARMS - 1)
    with live_app.app_context(), db.unit_of_work(live_app) as session:
        orders = session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.asset_id == asset_id)
        )
        assert orders == 1
