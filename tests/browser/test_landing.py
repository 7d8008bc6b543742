"""A newcomer opens Fieldline: the landing page in Chinese, switchable to English, links to apps."""

from __future__ import annotations

import re

from playwright.sync_api import expect

APPS = ("app", "board", "warehouse", "request", "admin", "reports")


def test_landing_page_in_chinese_switches_to_english_and_remembers(page, live_server):
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    title = page.get_by_test_id("page-title")
    expect(title).to_be_visible()
    tagline_zh = page.get_by_test_id("tagline").inner_text()
    assert re.search(r"[\u4e00-\u9fff]", tagline_zh), tagline_zh

    for app in APPS:
        expect(page.get_by_test_id(f"link-{app}")).to_have_attribute("href", f"/{app}/")
    expect(page.get_by_test_id("link-api-docs")).to_have_attribute("href", "/api/docs")

    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    tagline_en = page.get_by_test_id("tagline").inner_text()
    assert tagline_en != tagline_zh
    assert not re.search(r"[\u4e00-\u9fff]", tagline_en), tagline_en

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_staff_apps_open_on_their_sign_in_form_and_reports_is_still_a_placeholder(
    page, live_server
):
    for app in ("app", "board", "warehouse", "admin"):
        page.goto(live_server + "/")
        page.get_by_test_id(f"link-{app}").click()
        expect(page).to_have_url(live_server + f"/{app}/")
        expect(page.get_by_test_id("login-form")).to_be_visible()

    page.goto(live_server + "/")
    page.get_by_test_id("link-reports").click()
    expect(page.get_by_test_id("page-title")).to_be_visible()
    page.get_by_test_id("link-home").click()
    expect(page).to_have_url(live_server + "/")


def test_tracking_page_reads_the_code_from_its_path(page, live_server):
    # No order has this code: the page says so (having asked the server for that very code).
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(live_server + "/track/Ab3dEf9XyZ")
    expect(page.get_by_test_id("track-invalid")).to_be_visible()
    assert any(url.endswith("/api/v1/track/Ab3dEf9XyZ") for url in asked), asked


def test_api_docs_render_from_local_assets(page, live_server):
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server) else None
        ),
    )
    page.goto(live_server + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Fieldline API")
    expect(page.get_by_text("/api/v1/auth/login").first).to_be_visible()
    assert outside == []
