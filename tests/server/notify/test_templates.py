"""Every template the platform queues renders in both languages (pure)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.config import PROJECT_ROOT
from server.notify import templates

PAYLOAD = {
    "number": "WO-261201-0007",
    "summary": "空调不制冷 <b>urgent</b>",
    "tracking_url": "https://fieldline.example/track/abc",
    "confirm_url": "https://fieldline.example/track/abc?action=confirm",
    "rating_url": "https://fieldline.example/track/abc?action=rate",
    "engineer": "王师傅",
    "eta_at": "2026-12-01T06:30:00+00:00",
    "scheduled_start_at": "2026-12-01T07:00:00+00:00",
    "resolution": "更换了电容",
    "reason": "客户取消",
    "body": "请回电",
    "by": "李娜",
    "clock": "response",
}


@pytest.mark.parametrize("name", sorted(templates.TEMPLATES))
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_template_renders_in_both_languages(name, locale):
    rendered = templates.render(name, locale, PAYLOAD, tz="Asia/Shanghai")
    assert rendered.subject
    assert rendered.text.strip()
    assert "{{" not in rendered.text + rendered.subject
    assert "WO-261201-0007" in rendered.subject + rendered.text
    assert f'lang="{locale}"' in rendered.html


def test_templates_queued_anywhere_in_the_code_exist():
    names = set()
    for path in Path(PROJECT_ROOT, "server").rglob("*.py"):
        names |= set(re.findall(r'template="([a-z_]+)"', path.read_text()))
        names |= (
            {f"sla_{s}" for s in ("at_risk", "breached")}
            if 'f"sla_{step}"' in path.read_text()
            else set()
        )
    assert names, "no template names found"
    assert names <= set(templates.TEMPLATES), names - set(templates.TEMPLATES)


def test_eta_is_shown_in_the_organisations_time_zone_per_language():
    zh = templates.render("engineer_on_the_way", "zh-CN", PAYLOAD, tz="Asia/Shanghai")
    en = templates.render("engineer_on_the_way", "en", PAYLOAD, tz="Asia/Shanghai")
    assert "预计上门时间：12月1日 14:30" in zh.text
    assert "Expected arrival: 1 Dec 14:30." in en.text


def test_html_escapes_what_customers_typed_and_text_keeps_it():
    rendered = templates.render("intake_acknowledgement", "en", PAYLOAD, tz="Asia/Shanghai")
    assert "&lt;b&gt;urgent&lt;/b&gt;" in rendered.html
    assert "<b>urgent</b>" not in rendered.html
    assert "<b>urgent</b>" in rendered.text


def test_links_without_a_url_are_left_out_and_unknown_locales_fall_back_to_chinese():
    rendered = templates.render("work_order_completed", "fr", {"number": "WO-1"}, tz="UTC")
    assert rendered.subject == "维修已完成，请确认（WO-1）"
    assert "确认完工:" not in rendered.text
    assert "href" not in rendered.html
