"""Triage in the database: intake classified by the active rules in both languages, "why is
this urgent?", and the admin API for rules and SLA settings."""

from __future__ import annotations

import json
import time
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from server.auth import apikeys
from server.db import utcnow
from server.workorders import settings, triage
from server.workorders.default_rules import DEFAULT_RULES
from server.workorders.models import Category, SlaPolicy, TriageRule, WorkOrder
from tests.factories import bearer, make_customer, make_site, make_skill, make_user

WEB = "/api/v1/intake/web"
RULES = "/api/v1/triage-rules"


@pytest.fixture
def defaults(session):
    for code in ("hvac", "electrical", "plumbing", "appliance", "network", "elevator"):
        make_skill(session, code=code)
    return settings.install_defaults(session, timezone="Asia/Shanghai")


def _web(client, summary, description="", **extra):
    form = {
        "name": "测试客户",
        "phone": f"138{int(time.time_ns()) % 10**8:08d}",
        "address": "上海市黄浦区南京东路1号",
        "location": {"lat": 31.2400, "lon": 121.4900},
        "summary": summary,
        "description": description,
        "website": "",
        **extra,
    }
    return client.post(WEB, json=form)


def _order(session, number):
    return session.scalar(select(WorkOrder).where(WorkOrder.number == number))


@pytest.mark.parametrize(
    ("summary", "priority", "category", "skill"),
    [
        ("配电箱冒烟，有焦味", "urgent", "electrical.hazard.smoke", "electrical"),
        ("Water leaking through the kitchen ceiling", "urgent", "plumbing.leak", "plumbing"),
        ("客厅空调漏水，地板都湿了", "urgent", "hvac.leak", "hvac"),
        ("The dishwasher won't power on", "high", None, "appliance"),
        ("请问发票怎么开？", "low", "general.consultation", None),
    ],
)
def test_web_requests_are_classified_in_both_languages(
    client, session, defaults, summary, priority, category, skill
):
    response = _web(client, summary)
    assert response.status_code == 201, response.json
    order = _order(session, response.json["number"])
    assert order.priority == priority
    if category:
        assert order.category.code == category
    if skill:
        assert [s["code"] for s in order.required_skills] == [skill]
    assert order.triage["rules"], "the rules that fired are recorded"


def test_the_api_says_why_an_order_is_urgent(client, app, session, defaults):
    number = _web(client, "配电箱冒烟 / fuse box smoking").json["number"]
    order = _order(session, number)
    agent = make_user(session, role="agent")
    body = client.get(f"/api/v1/work-orders/{order.id}", headers=bearer(app, agent)).json
    assert body["priority"] == "urgent"
    assert body["triage"]["priority_from"] == "smoke_fire"
    fired = {r["id"]: r for r in body["triage"]["rules"]}
    assert fired["smoke_fire"]["matched"] == "冒烟"
    assert "priority" in fired["smoke_fire"]["decided"]


def test_vip_customers_go_one_level_up(client, session, defaults):
    customer = make_customer(session, tier="vip", phone="13700000001")
    make_site(session, customer=customer, location={"lat": 31.24, "lon": 121.49})
    response = _web(client, "年度空调保养 annual AC maintenance", phone="13700000001")
    order = _order(session, response.json["number"])
    assert order.customer_id == customer.id
    assert (order.priority, order.type) == ("medium", "maintenance")
    assert order.triage["vip_raised"] is True
    assert order.triage["priority_from"] == "vip"


def test_email_and_iot_go_through_the_same_rules(client, session, defaults):
    customer = make_customer(session, email="fm@mall.example")
    make_site(session, customer=customer)
    mail_key = apikeys.create_api_key(session, name="relay", kind="email").key
    message = EmailMessage()
    message["From"] = "fm@mall.example"
    message["Subject"] = "Power outage on level 3"
    message.set_content("All shops on level 3 have no power since 9am.")
    response = client.post(
        "/api/v1/intake/email",
        data=message.as_bytes(),
        content_type="message/rfc822",
        headers={"Authorization": f"Bearer {mail_key}"},
    )
    order = _order(session, response.json["number"])
    assert (order.priority, order.category.code) == ("urgent", "electrical.outage")

    gateway = apikeys.create_api_key(session, name="bms", kind="iot", customer_id=customer.id)
    raw = json.dumps(
        {"asset_serial": "CH-9", "alarm_code": "E42", "message": "sensor value out of band",
         "occurred_at": utcnow().isoformat()}
    ).encode()  # fmt: skip
    ts = str(int(time.time()))
    signature = apikeys.sign(gateway.api_key.signing_secret, ts, raw)
    response = client.post(
        "/api/v1/intake/iot",
        data=raw,
        headers={
            "Authorization": f"Bearer {gateway.key}",
            "X-Timestamp": ts,
            "X-Signature": f"sha256={signature}",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200, response.json
    alarm = _order(session, response.json["number"])
    assert alarm.priority == "high"  # an alarm from connected equipment is at least high
    assert alarm.triage["priority_from"] == "iot_alarm"


def test_a_rule_naming_a_skill_the_catalogue_lacks_does_not_refuse_the_request(client, session):
    # No skills in the catalogue at all: the request is still taken, and the gap is said.
    response = _web(client, "配电箱冒烟")
    assert response.status_code == 201
    order = _order(session, response.json["number"])
    assert order.required_skills == []
    assert "skill:electrical" in order.triage["ignored"]


def test_with_no_rules_stored_the_shipped_ones_apply(session):
    assert session.scalar(select(func.count()).select_from(TriageRule)) == 0
    result = triage.classify(session, text="电梯里有人被困", channel="phone", tier="standard")
    assert (result.priority, result.category) == ("urgent", "elevator.trapped")


# --- the admin API --------------------------------------------------------------------------


@pytest.fixture
def admin(session):
    return make_user(session, role="admin")


def test_admin_adds_a_rule_and_it_applies(client, app, session, admin):
    rule = {
        "code": "chiller_vip",
        "name": "冷水机组 / Chiller",
        "keywords": ["冷水机组", "chiller"],
        "set": {"priority": "urgent", "skills": [{"code": "hvac", "level": 4}]},
    }
    response = client.post(RULES, json=rule, headers=bearer(app, admin))
    assert response.status_code == 201, response.json
    assert response.json["keywords"] == ["冷水机组", "chiller"]
    # The first change keeps the shipped dictionary as rows, then adds this one at the end.
    listed = client.get(RULES, headers=bearer(app, admin)).json
    assert len(listed) == len(DEFAULT_RULES) + 1
    assert listed[-1]["code"] == "chiller_vip"

    tested = client.post(
        f"{RULES}/test", json={"text": "Chiller tripped"}, headers=bearer(app, admin)
    )
    assert tested.status_code == 200
    assert tested.json["priority"] == "urgent"
    assert "chiller_vip" in [r["id"] for r in tested.json["why"]["rules"]]

    off = client.patch(
        f"{RULES}/{response.json['id']}", json={"active": False}, headers=bearer(app, admin)
    )
    assert off.json["active"] is False
    again = client.post(f"{RULES}/test", json={"text": "Chiller noise"}, headers=bearer(app, admin))
    assert "chiller_vip" not in [r["id"] for r in again.json["why"]["rules"]]


@pytest.mark.parametrize(
    ("rule", "field", "zh"),
    [
        ({"pattern": "(a+)+$", "set": {"priority": "high"}}, "pattern", "正则表达式可能导致"),
        ({"pattern": "(unclosed", "set": {"priority": "high"}}, "pattern", "正则表达式无法解析"),
        ({"keywords": ["x"], "set": {"priority": "critical"}}, "set", "不是允许的取值"),
        ({"keywords": ["x"]}, "_schema", "规则既不设置"),
        ({"keywords": ["x"], "channels": ["fax"], "set": {"type": "repair"}}, "channels", "不是"),
    ],
)
def test_bad_rules_are_refused_field_by_field_in_the_callers_language(
    client, app, session, admin, rule, field, zh
):
    before = session.scalar(select(func.count()).select_from(TriageRule))
    response = client.post(
        RULES, json={"code": "bad", "name": "bad", **rule}, headers=bearer(app, admin)
    )
    assert response.status_code == 422, response.json
    assert zh in json.dumps(response.json["errors"]["json"][field], ensure_ascii=False)
    english = client.post(
        RULES,
        json={"code": "bad", "name": "bad", **rule},
        headers=bearer(app, admin, **{"Accept-Language": "en"}),
    )
    assert english.json["errors"]["json"][field]
    assert zh not in json.dumps(english.json, ensure_ascii=False)
    assert session.scalar(select(func.count()).select_from(TriageRule)) == before


def test_only_admins_change_rules_and_settings(client, app, session):
    for role in ("agent", "dispatcher", "technician", "warehouse"):
        user = make_user(session, role=role)
        assert (
            client.post(
                RULES, json={"code": "x", "name": "x"}, headers=bearer(app, user)
            ).status_code
            == 403
        )
        policy = client.post("/api/v1/sla/policies", json={}, headers=bearer(app, user))
        assert policy.status_code == 403
    agent = make_user(session, role="agent")
    assert client.get("/api/v1/sla/policies", headers=bearer(app, agent)).status_code == 200
    assert client.get(RULES).status_code == 401


def test_sla_settings_are_validated(client, app, session, admin, defaults):
    headers = bearer(app, admin, **{"Accept-Language": "en"})
    bad_zone = client.post(
        "/api/v1/sla/calendars", json={"name": "x", "timezone": "Mars/Olympus"}, headers=headers
    )
    assert bad_zone.status_code == 422
    assert "timezone" in bad_zone.json["errors"]["json"]
    no_time = client.post(
        "/api/v1/sla/calendars",
        json={"name": "never", "timezone": "Asia/Shanghai", "working_hours": {"mon": []}},
        headers=headers,
    )
    assert no_time.status_code == 422
    assert "working_hours" in no_time.json["errors"]["json"]

    calendar = session.scalar(select(SlaPolicy)).calendar
    taken = client.post(
        "/api/v1/sla/policies",
        json={"priority": "urgent", "tier": None, "response_minutes": 10, "resolve_minutes": 60,
              "calendar_id": str(calendar.id)},
        headers=headers,
    )  # fmt: skip
    assert taken.status_code == 409
    backwards = client.post(
        "/api/v1/sla/policies",
        json={"priority": "urgent", "tier": "standard", "response_minutes": 60,
              "resolve_minutes": 10, "calendar_id": str(calendar.id)},
        headers=headers,
    )  # fmt: skip
    assert backwards.status_code == 422
    assert "resolve_minutes" in backwards.json["errors"]["json"]
    in_use = client.delete(f"/api/v1/sla/calendars/{calendar.id}", headers=headers)
    assert in_use.status_code == 409
    assert in_use.json["error"] == "calendar_in_use"


def test_install_defaults_fills_gaps_only(app, session):
    first = settings.install_defaults(session, timezone="Asia/Shanghai")
    assert first["categories"] > 30
    assert first["rules"] == len(DEFAULT_RULES)
    assert (first["calendars"], first["policies"]) == (2, 8)
    again = settings.install_defaults(session, timezone="Asia/Shanghai")
    assert again == {"categories": 0, "rules": 0, "calendars": 0, "policies": 0}
    levels = session.execute(select(Category.level, func.count()).group_by(Category.level)).all()
    assert {level for level, _ in levels} == {1, 2, 3}
