"""A new version of the engineer app is deployed while it is open: the app offers to reload
instead of swapping itself under the engineer's thumb, and reloads onto the new version when
asked."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from server.config import load_config
from tests.browser.app_helpers import (
    APP_PAGES,
    arrange_job,
    new_phone,
    sign_in,
    wait_for_service_worker,
)
from tests.serving import app_on_own_database, serve


@pytest.fixture(scope="module")
def phone_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    # A copy of the build, so the test can deploy a "new version" of the service worker.
    dist = tmp_path_factory.mktemp("dist") / "dist"
    shutil.copytree(load_config({"SECRET_KEY": "unused"}).PWA_DIST, dist)
    yield from app_on_own_database(
        database_url,
        "app_update",
        pages=APP_PAGES,
        STORAGE_DIR=str(tmp_path_factory.mktemp("blobs")),
        PWA_DIST=str(dist),
    )


@pytest.fixture(scope="module")
def server_url(phone_app: Flask) -> Iterator[str]:
    yield from serve(phone_app)


def test_a_new_version_offers_a_reload(browser, server_url, phone_app):
    job = arrange_job(phone_app)
    context, page, errors = new_phone(browser)
    try:
        page.goto(server_url + "/app/")
        sign_in(page, job.engineer_email)
        wait_for_service_worker(page)
        expect(page.get_by_test_id("update-banner")).to_have_count(0)

        worker = Path(phone_app.config["PWA_DIST"]) / "app" / "sw.js"
        worker.write_text(worker.read_text() + "\n// next release\n")
        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        banner = page.get_by_test_id("update-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("有新版本可用")

        with page.expect_navigation():
            banner.get_by_test_id("update-reload").click()
        expect(page.get_by_test_id(f"job-card-{job.number}")).to_be_visible()
        expect(page.get_by_test_id("update-banner")).to_have_count(0)
        page.wait_for_function("navigator.serviceWorker.controller !== null")
    finally:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
