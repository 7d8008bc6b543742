"""An engineer runs a job from accept to the customer's signature with the network on: the
office then sees the order closed, with the photo and signature stored and the timeline in
order."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.app_helpers import (
    APP_PAGES,
    arrange_job,
    jpeg,
    last_position_at,
    new_phone,
    queued,
    reservation_state,
    server_record,
    sign_in,
    wait_for_service_worker,
    work_the_job,
)
from tests.serving import app_on_own_database, serve


@pytest.fixture(scope="module")
def phone_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from app_on_own_database(
        database_url,
        "app_online",
        pages=APP_PAGES,
        STORAGE_DIR=str(tmp_path_factory.mktemp("blobs")),
    )


@pytest.fixture(scope="module")
def server_url(phone_app: Flask) -> Iterator[str]:
    yield from serve(phone_app)


def test_engineer_closes_a_job_online(browser, server_url, phone_app):
    job = arrange_job(phone_app, with_part=True, with_checklist=True)
    context, page, errors = new_phone(browser, located=True)
    try:
        page.goto(server_url + "/app/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        sign_in(page, job.engineer_email)
        card = page.get_by_test_id(f"job-card-{job.number}")
        expect(card.get_by_test_id("job-priority")).to_have_text("高")
        expect(card.get_by_test_id("job-status")).to_have_text("待接单")
        queued(page, 0)
        expect(page.get_by_test_id("queue-status")).to_have_text("所有更改已同步")
        # Installable: a manifest with the icons a phone needs, and a worker controlling /app/.
        manifest = page.evaluate("fetch('/app/manifest.webmanifest').then((r) => r.json())")
        assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
            "/app/", "/app/", "standalone",
        )  # fmt: skip
        assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
        wait_for_service_worker(page)

        work_the_job(
            page,
            job.number,
            note="客户说空调滴水两天了",
            part_sku=job.part_sku,
            checklist=job.checklist,
        )
        # Sent at once; the closed job then leaves the phone and the list is back.
        expect(page.get_by_test_id("jobs-empty")).to_be_visible()
        expect(page.get_by_test_id(f"job-card-{job.number}")).to_have_count(0)
        queued(page, 0)

        record = server_record(phone_app, job.id)
        assert record["status"] == "closed"
        assert record["signer_name"] == "陈女士"
        assert record["resolution"] == "更换排水泵 replaced the drain pump"
        assert [kind for kind, _, _ in record["attachments"]] == ["photo", "signature"]
        assert record["checklist"] == {"drain_clear": True, "supply_temp": "9.5"}
        # Compressed in the browser: the 2400x1800 camera shot arrives at most 1600 px wide.
        assert record["photo_sizes"] == [(1600, 1200)]
        steps = [
            a
            for a in record["actions"]
            if a in {"accept", "start_travel", "arrive", "checklist_item", "complete", "sign_off"}
        ]
        assert steps == [
            "accept", "start_travel", "arrive", "checklist_item", "checklist_item", "complete",
            "sign_off",
        ]  # fmt: skip
        # Where the engineer was while on the job went to the board (the phone allowed it).
        assert last_position_at(phone_app, job.technician_id) is not None
        # The part handed over in the van is recorded as used, all of it.
        assert reservation_state(phone_app, job.reservation_id) == ("consumed", Decimal(2))
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


REPLAY_OUTBOX = """
async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('fieldline-app')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const tx = db.transaction(['meta', 'outbox'], 'readwrite')
  const sent = await new Promise((resolve) => {
    const request = tx.objectStore('meta').get('sent')
    request.onsuccess = () => resolve(request.result || {})
  })
  const ops = Object.values(sent).flat()
  for (const op of ops) {
    const copy = { ...op }
    delete copy.seq
    tx.objectStore('outbox').add(copy)
  }
  await new Promise((resolve) => { tx.oncomplete = resolve })
  db.close()
  return ops.map((op) => op.type)
}
"""


COUNT_LOCAL_DATA = """
async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('fieldline-app')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const counts = {}
  for (const name of ['jobs', 'outbox', 'blobs', 'meta']) {
    counts[name] = await new Promise((resolve) => {
      const request = db.transaction(name).objectStore(name).count()
      request.onsuccess = () => resolve(request.result)
    })
  }
  db.close()
  return counts
}
"""


def test_replaying_the_outbox_changes_nothing(browser, server_url, phone_app):
    job = arrange_job(phone_app)
    context, page, errors = new_phone(browser)
    try:
        page.goto(server_url + "/app/")
        page.get_by_test_id("lang-switch").select_option("en")
        sign_in(page, job.engineer_email)
        expect(page.get_by_test_id("queue-status")).to_have_text("All changes sent")
        page.get_by_test_id(f"job-card-{job.number}").click()
        detail = page.get_by_test_id("job-page")
        expect(detail.get_by_test_id("action-accept")).to_have_text("Accept")
        for action, status in (("accept", "accepted"), ("start_travel", "en_route"),
                               ("arrive", "in_progress")):  # fmt: skip
            detail.get_by_test_id(f"action-{action}").click()
            expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", status)
        # Waiting for the customer to open the plant room, then back to work.
        detail.get_by_test_id("action-hold").click()
        detail.get_by_test_id("hold-submit").click()
        expect(detail.get_by_test_id("form-error")).to_contain_text("A reason is needed")
        detail.get_by_test_id("hold-for").select_option("customer")
        detail.get_by_test_id("hold-reason").fill("Plant room locked")
        detail.get_by_test_id("hold-submit").click()
        expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", "on_hold")
        detail.get_by_test_id("action-resume").click()
        expect(detail.get_by_test_id("job-status")).to_have_attribute("data-status", "in_progress")
        detail.get_by_test_id("note-input").fill("旧泵已拆下 old pump removed")
        detail.get_by_test_id("note-submit").click()
        detail.get_by_test_id("photo-input").set_input_files(
            {"name": "pump.jpg", "mimeType": "image/jpeg", "buffer": jpeg(800, 600)}
        )
        expect(detail.get_by_test_id("photo-thumb")).to_have_count(1)
        queued(page, 0)
        expect(detail.locator("[data-queued='true']")).to_have_count(0)
        before = server_record(phone_app, job.id)

        # Every op this phone sent goes back into its outbox, and the app sends them again.
        replayed = page.evaluate(REPLAY_OUTBOX)
        assert replayed == ["accept", "start_travel", "arrive", "hold", "resume", "note", "photo"]
        with page.expect_response("**/mobile/v1/ops") as answer:
            page.get_by_test_id("sync-now").click()
        statuses = [r["status"] for r in answer.value.json()["results"]]
        assert statuses == ["duplicate"] * 7
        queued(page, 0)
        expect(page.get_by_test_id("rejection-notice")).to_have_count(0)
        expect(detail.get_by_test_id("notes").locator("li")).to_have_count(1)

        after = server_record(phone_app, job.id)
        assert after == before
        assert after["status"] == "in_progress"
        assert after["attachments"] == [("photo", 800, 600)]

        # Signing out leaves nothing of the job on the phone.
        detail.get_by_test_id("job-back").click()
        page.get_by_test_id("logout").click()
        expect(page.get_by_test_id("login-form")).to_be_visible()
        assert page.evaluate(COUNT_LOCAL_DATA) == {"jobs": 0, "outbox": 0, "blobs": 0, "meta": 0}
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
