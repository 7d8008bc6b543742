"""The dispatcher pins an assigned job to its engineer from the board's job drawer, sees the
pin in the list and on the map, and releases it again (each step checked on the server).

Same setup as test_board.py (its helpers), on a database of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from server.actors import Actor
from server.db import db, utcnow
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder, WorkOrderEvent
from tests.browser.test_board import arrange, open_board
from tests.serving import app_on_own_database, serve


@pytest.fixture(scope="module")
def pin_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(
        database_url, "board_pin", pages=("board/index.html",), EVENTS_HEARTBEAT_S=1.0
    )


@pytest.fixture(scope="module")
def pin_url(pin_app: Flask) -> Iterator[str]:
    yield from serve(pin_app)


def pin_state(app: Flask, order_id: uuid.UUID) -> tuple[bool, uuid.UUID | None, list[str]]:
    with app.app_context(), db.unit_of_work(app) as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        actions = session.scalars(
            select(WorkOrderEvent.action)
            .where(WorkOrderEvent.work_order_id == order_id)
            .order_by(WorkOrderEvent.id)
        ).all()
        return order.pinned, order.assignee_id, list(actions)


def test_dispatcher_pins_and_unpins_a_job_from_the_drawer(page, pin_url, pin_app):
    data = arrange(pin_app)
    with pin_app.app_context(), db.unit_of_work(pin_app) as session:
        workorders_service.apply_transition(
            session,
            work_order_id=data.order_id,
            actor=Actor(kind="user", role="dispatcher", name="another dispatcher"),
            change=workorders_service.TransitionInput(action="assign", technician_id=data.far_id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
        # At risk, so the job is in the SLA list, where the dispatcher opens it.
        order = session.get(WorkOrder, data.order_id)
        assert order is not None
        order.sla_state = "at_risk"
        order.version += 1
    open_board(page, pin_url, data.dispatcher_email)
    risky = page.locator(f'[data-testid="at-risk"] [data-number="{data.number}"]')
    expect(risky).to_be_visible()
    expect(risky.get_by_test_id("pin-mark")).to_have_count(0)
    risky.click()

    drawer = page.get_by_test_id("job-drawer")
    expect(drawer.get_by_test_id("drawer-assignee")).to_have_text(data.far_name)
    button = drawer.get_by_test_id("drawer-pin")
    expect(button).to_have_text("固定")
    button.click()

    expect(page.get_by_test_id("toast")).to_contain_text(f"{data.number} 已固定给 {data.far_name}")
    expect(drawer.get_by_test_id("drawer-pinned")).to_have_text("已固定")
    expect(button).to_have_text("取消固定")
    expect(risky.get_by_test_id("pin-mark")).to_have_text("已固定")
    expect(page.locator(".job-marker.pinned")).to_have_count(1)
    pinned, assignee, actions = pin_state(pin_app, data.order_id)
    assert (pinned, assignee) == (True, data.far_id)
    assert actions[-1] == "pin"

    button.click()

    expect(page.get_by_test_id("toast")).to_contain_text(f"{data.number} 已取消固定")
    expect(button).to_have_text("固定")
    expect(drawer.get_by_test_id("drawer-pinned")).to_have_count(0)
    expect(page.locator(".job-marker.pinned")).to_have_count(0)
    pinned, assignee, actions = pin_state(pin_app, data.order_id)
    assert (pinned, assignee) == (False, data.far_id)
    assert actions[-2:] == ["pin", "unpin"]
