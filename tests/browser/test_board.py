"""The dispatcher's board: assign a job by dragging it onto an engineer, by keyboard, and by one
of the drawer's suggestions (each checked on the server); a change another client commits
shows on an open board without a reload.

The server runs on its own throwaway database with committed data (the board's requests and
its event stream come from server threads), and serves the web apps from FIELDLINE_PWA_DIST
(default pwa/dist). The map runs without tiles (`?tiles=none`): no internet needed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import text

from server.actors import Actor
from server.db import db, utcnow
from server.dispatch import tasks as dispatch_tasks
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from tests.factories import (
    PASSWORD,
    make_technician,
    make_user,
    make_work_order,
)
from tests.serving import app_on_own_database, serve

# Every day, all day: suggestions need the engineers to be on shift whenever the test runs.
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NEAR = {"lat": 31.2350, "lon": 121.4800}  # ~1 km from the factories' site
FAR = {"lat": 31.3500, "lon": 121.6000}  # ~18 km away


@pytest.fixture(scope="module")
def board_app(database_url: str) -> Iterator[Flask]:
    yield from app_on_own_database(
        database_url, "board", pages=("board/index.html",), EVENTS_HEARTBEAT_S=1.0
    )


@pytest.fixture(scope="module")
def server_url(board_app: Flask) -> Iterator[str]:
    yield from serve(board_app)


@dataclass(frozen=True)
class Arranged:
    dispatcher_email: str
    near_id: uuid.UUID
    near_name: str
    far_id: uuid.UUID
    far_name: str
    order_id: uuid.UUID
    number: str


def arrange(app: Flask, *, far: dict[str, float] = FAR) -> Arranged:
    """A dispatcher, two engineers on shift (one near the job, one far) and a new job."""
    with app.app_context(), db.unit_of_work(app) as session:
        dispatcher = make_user(session, role="dispatcher", name="调度 李雷")
        tag = uuid.uuid4().hex[:4]
        near = make_technician(
            session,
            user=make_user(session, role="technician", name=f"近 王工 {tag}"),
            home=NEAR,
            working_hours=ALWAYS,
            status="available",
        )
        far_one = make_technician(
            session,
            user=make_user(session, role="technician", name=f"远 张工 {tag}"),
            home=far,
            working_hours=ALWAYS,
            status="available",
        )
        order = make_work_order(session, priority="high")
        return Arranged(
            dispatcher.email,
            near.id,
            near.user.name,
            far_one.id,
            far_one.user.name,
            order.id,
            order.number,
        )


def open_board(page: Page, server_url: str, email: str, *, lang: str = "zh-CN") -> None:
    page.goto(f"{server_url}/board/?tiles=none&lang={lang}")
    form = page.get_by_test_id("login-form")
    form.get_by_test_id("login-input").fill(email)
    form.get_by_test_id("password-input").fill(PASSWORD)
    form.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()
    expect(page.get_by_test_id("live-state")).to_have_attribute("data-state", "live")


def assignee_of(app: Flask, order_id: uuid.UUID) -> uuid.UUID | None:
    with app.app_context(), db.unit_of_work(app) as session:
        order = session.get(WorkOrder, order_id)
        assert order is not None
        return order.assignee_id if order.status == "assigned" else None


def queue_item(page: Page, number: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="queue-item"][data-number="{number}"]')


def engineer_item(page: Page, technician_id: uuid.UUID):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="engineer-item"][data-id="{technician_id}"]')


def test_dispatcher_drags_a_job_onto_an_engineer(page, server_url, board_app):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email)
    job = queue_item(page, data.number)
    expect(job).to_be_visible()

    job.drag_to(engineer_item(page, data.far_id))

    expect(page.get_by_test_id("toast")).to_contain_text(data.far_name)
    expect(job).to_have_count(0)
    assert assignee_of(board_app, data.order_id) == data.far_id


def test_dispatcher_assigns_with_the_keyboard(page, server_url, board_app):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email)
    job = queue_item(page, data.number)
    job.focus()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("picked")).to_contain_text(data.number)
    engineer_item(page, data.near_id).focus()
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("toast")).to_contain_text(data.near_name)
    expect(job).to_have_count(0)
    assert assignee_of(board_app, data.order_id) == data.near_id


def test_dispatcher_assigns_the_top_suggestion_in_english(page, server_url, board_app):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email, lang="en")
    queue_item(page, data.number).click()

    drawer = page.get_by_test_id("job-drawer")
    expect(drawer.get_by_test_id("drawer-number")).to_have_text(data.number)
    expect(drawer.get_by_test_id("drawer-status")).to_have_text("New")
    suggestions = drawer.get_by_test_id("suggestion")
    expect(suggestions.first).to_be_visible()
    ranked = [s.get_attribute("data-technician-id") for s in suggestions.all()]
    assert 1 <= len(ranked) <= 5
    # The nearer engineer adds less travel, so ranks above the far one.
    assert str(data.near_id) in ranked
    if str(data.far_id) in ranked:
        assert ranked.index(str(data.near_id)) < ranked.index(str(data.far_id))
    mine = drawer.locator(f'[data-testid="suggestion"][data-technician-id="{data.near_id}"]')
    expect(mine).to_contain_text("min travel")
    expect(mine).to_contain_text(data.near_name)
    mine.get_by_test_id("assign-suggestion").click()

    expect(page.get_by_test_id("toast")).to_contain_text(f"Assigned to {data.near_name}")
    expect(drawer.get_by_test_id("drawer-status")).to_have_text("Assigned")
    expect(drawer.get_by_test_id("drawer-assignee")).to_have_text(data.near_name)
    assert assignee_of(board_app, data.order_id) == data.near_id


def test_another_clients_changes_appear_without_reload(page, server_url, board_app):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email)
    job = queue_item(page, data.number)
    expect(job).to_be_visible()
    load = page.get_by_test_id(f"engineer-load-{data.far_id}")
    expect(load).to_have_text("0 个工单")
    page.evaluate("window.__sameDocument = true")

    # Another dispatcher assigns it through the service, committed on another connection.
    with board_app.app_context(), db.unit_of_work(board_app) as session:
        workorders_service.apply_transition(
            session,
            work_order_id=data.order_id,
            actor=Actor(kind="user", role="dispatcher", name="another dispatcher"),
            change=workorders_service.TransitionInput(action="assign", technician_id=data.far_id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
    expect(job).to_have_count(0)
    expect(load).to_have_text("1 个工单")

    # A new request arrives: it joins the queue.
    with board_app.app_context(), db.unit_of_work(board_app) as session:
        fresh = make_work_order(session, priority="urgent", summary="新的报修 / a new request")
        fresh_number = fresh.number
    expect(queue_item(page, fresh_number)).to_contain_text("新的报修")
    assert page.evaluate("window.__sameDocument") is True


def test_dispatcher_runs_the_optimizer_sees_the_difference_and_applies_it(
    page, server_url, board_app
):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email, lang="en")
    expect(queue_item(page, data.number)).to_be_visible()
    page.get_by_test_id("open-plan").click()
    panel = page.get_by_test_id("plan-panel")
    panel.locator("#plan-limit").fill("1")
    with page.expect_response("**/api/v1/dispatch/runs") as created:
        panel.get_by_test_id("plan-run").click()
    assert created.value.status == 202
    run_id = uuid.UUID(created.value.json()["id"])
    expect(panel.get_by_test_id("plan-run")).to_have_text("Optimizing…")

    # The optimizer's worker, here run in the test: solve the run the board just queued.
    dispatch_tasks.execute(board_app, run_id)

    kpis = panel.get_by_test_id("plan-kpis")
    expect(kpis).to_contain_text("Jobs served")
    expect(kpis).to_contain_text("Travel (km)")
    expect(kpis).to_contain_text("Lateness (min)")
    expect(kpis).to_contain_text("Utilisation")
    # "Now" is measured by the server for the assignments as they stood, never left blank.
    now_served = kpis.locator("tr", has_text="Jobs served").locator("td").first
    expect(now_served).to_have_text(re.compile(r"^\d+$"))
    expect(panel.get_by_test_id("plan-diff")).to_contain_text(f"{data.number}: unassigned →")
    panel.get_by_test_id("plan-apply").click()

    expect(panel.get_by_test_id("plan-applied")).to_contain_text("Applied:")
    expect(queue_item(page, data.number)).to_have_count(0)
    assert assignee_of(board_app, data.order_id) is not None


def test_dispatcher_drops_a_job_on_an_engineers_marker_on_the_map(page, server_url, board_app):
    # Far from everyone else on the map, so the drop can only mean this engineer.
    data = arrange(board_app, far={"lat": 31.05, "lon": 121.15})
    open_board(page, server_url, data.dispatcher_email)
    job = queue_item(page, data.number)
    marker = page.locator(f'.engineer-marker[title="{data.far_name}"]')
    expect(marker).to_be_visible()

    job.drag_to(marker)

    expect(page.get_by_test_id("toast")).to_contain_text(data.far_name)
    assert assignee_of(board_app, data.order_id) == data.far_id


def test_after_a_lost_listener_the_board_re_reads_its_snapshot(page, server_url, board_app):
    data = arrange(board_app)
    open_board(page, server_url, data.dispatcher_email)
    job = queue_item(page, data.number)
    expect(job).to_contain_text("高")
    page.evaluate("window.__sameDocument = true")

    # A change the stream never hears of (written without the ORM, so no NOTIFY) ...
    engine = board_app.extensions["db"].engine
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE work_orders SET priority = 'urgent', version = version + 1 WHERE id = :id"
            ),
            {"id": data.order_id},
        )
        # ... and the stream's LISTEN connection dies: every open board is told to re-read.
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'fieldline-live' AND datname = current_database()"
            )
        )
    expect(job).to_contain_text("紧急")

    # The stream listens again: the next change arrives live.
    with board_app.app_context(), db.unit_of_work(board_app) as session:
        workorders_service.apply_transition(
            session,
            work_order_id=data.order_id,
            actor=Actor(kind="user", role="dispatcher", name="another dispatcher"),
            change=workorders_service.TransitionInput(action="assign", technician_id=data.near_id),
            now=utcnow(),
            timezone="Asia/Shanghai",
        )
    expect(job).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
