"""The engineer works without signal: the whole job offline (the app shell from the service
worker, the steps in IndexedDB, a reload in between) reaches the server exactly once when the
phone reconnects; and a job given to someone else meanwhile is refused and leaves the phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import expect

from server.db import db, utcnow
from server.workorders import service as workorders_service
from tests.browser.app_helpers import (
    APP_PAGES,
    arrange_job,
    new_phone,
    queued,
    server_record,
    sign_in,
    wait_for_service_worker,
    work_the_job,
)
from tests.factories import actor_for, make_technician, make_user
from tests.serving import app_on_own_database, serve

FIELD_STEPS = {"accept", "start_travel", "arrive", "complete", "sign_off"}


@pytest.fixture(scope="module")
def phone_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from app_on_own_database(
        database_url,
        "app_offline",
        pages=APP_PAGES,
        STORAGE_DIR=str(tmp_path_factory.mktemp("blobs")),
    )


@pytest.fixture(scope="module")
def server_url(phone_app: Flask) -> Iterator[str]:
    yield from serve(phone_app)


def test_the_whole_job_offline_arrives_once_when_back_online(browser, server_url, phone_app):
    job = arrange_job(phone_app)
    context, page, errors = new_phone(browser)
    try:
        page.goto(server_url + "/app/")
        sign_in(page, job.engineer_email)
        wait_for_service_worker(page)
        before = server_record(phone_app, job.id)

        context.set_offline(True)
        expect(page.get_by_test_id("offline-notice")).to_be_visible()
        work_the_job(page, job.number, note="地下室无信号 no signal in the basement")
        detail = page.get_by_test_id("job-page")
        expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", "closed")
        # accept, travel, arrive, note, photo, complete, sign-off
        queued(page, 7)
        expect(page.get_by_test_id("queue-status")).to_have_text("7 项更改待同步")

        # A reload with no network: the service worker serves the app, IndexedDB the job.
        page.reload()
        detail = page.get_by_test_id("job-page")
        expect(detail).to_be_visible()
        expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", "closed")
        queued(page, 7)
        expect(detail.get_by_test_id("photo-thumb")).to_have_js_property("tagName", "IMG")
        expect(detail.get_by_test_id("notes")).to_contain_text("no signal in the basement")
        assert server_record(phone_app, job.id) == before

        context.set_offline(False)
        queued(page, 0)
        expect(page.get_by_test_id("jobs-empty")).to_be_visible()
        expect(page.get_by_test_id("rejection-notice")).to_have_count(0)

        record = server_record(phone_app, job.id)
        assert (record["status"], record["signer_name"]) == ("closed", "陈女士")
        assert [kind for kind, _, _ in record["attachments"]] == ["photo", "signature"]
        assert record["photo_sizes"] == [(1600, 1200)]
        # Each step once, in the order it was taken.
        assert [a for a in record["actions"] if a in FIELD_STEPS] == [
            "accept", "start_travel", "arrive", "complete", "sign_off",
        ]  # fmt: skip
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def test_a_job_given_away_while_offline_is_refused_and_removed(browser, server_url, phone_app):
    job = arrange_job(phone_app)
    with phone_app.app_context(), db.unit_of_work(phone_app) as session:
        other = make_technician(session).id
        dispatcher = actor_for(make_user(session, role="dispatcher", name="调度 李雷"))
    context, page, errors = new_phone(browser)
    try:
        page.goto(server_url + "/app/")
        sign_in(page, job.engineer_email)
        wait_for_service_worker(page)

        context.set_offline(True)
        page.get_by_test_id(f"job-card-{job.number}").click()
        detail = page.get_by_test_id("job-page")
        detail.get_by_test_id("action-accept").click()
        detail.get_by_test_id("action-start_travel").click()
        expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", "en_route")
        queued(page, 2)

        # Meanwhile the office gives the job to another engineer.
        with phone_app.app_context(), db.unit_of_work(phone_app) as session:
            workorders_service.apply_transition(
                session,
                work_order_id=job.id,
                actor=dispatcher,
                change=workorders_service.TransitionInput(action="assign", technician_id=other),
                now=utcnow(),
                timezone="Asia/Shanghai",
            )

        context.set_offline(False)
        notice = page.get_by_test_id("rejection-notice")
        expect(notice).to_be_visible()
        expect(notice).to_have_attribute("data-error", "reassigned")
        expect(notice).to_contain_text(f"工单 {job.number} 已从本机移除")
        expect(notice).to_contain_text("该工单已改派给其他工程师")
        expect(notice.get_by_test_id("rejection-item")).to_have_count(2)
        expect(page.get_by_test_id(f"job-card-{job.number}")).to_have_count(0)
        queued(page, 0)

        record = server_record(phone_app, job.id)
        assert record["assignee_id"] == other
        assert record["status"] == "assigned"
        assert not FIELD_STEPS & set(record["actions"])

        # Acknowledged, the notice goes; a reload does not bring the job back.
        notice.get_by_test_id("rejection-dismiss").click()
        expect(page.get_by_test_id("rejection-notice")).to_have_count(0)
        page.reload()
        expect(page.get_by_test_id("jobs-empty")).to_be_visible()
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
