"""What assets add to work orders: checklists copied and answered, `complete` guarded, follow-up
orders, the warranty flag, the engineer app's ops and sync, and alarms from equipment."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from server.actors import Actor
from server.assets.models import ChecklistItem
from server.auth import apikeys
from server.db import utcnow
from server.errors import ValidationFailed
from server.i18n import translate
from server.workorders import service as workorders_service
from server.workorders.models import Category, WorkOrder, WorkOrderEvent
from tests.factories import bearer, make_customer, make_site, make_technician, make_user, signed
from tests.server.assets.conftest import TZ, make_asset, make_model, make_template

AGENT = Actor(kind="user", role="agent", name="客服")


@pytest.fixture
def tech(session):
    return make_technician(session)


def _order_on(session, asset, *, tech=None, status="in_progress", **fields):
    order = workorders_service.create_work_order(
        session,
        actor=AGENT,
        customer_id=asset.customer_id,
        asset_id=asset.id,
        summary="空调异响 / AC noisy",
        now=utcnow(),
        timezone=TZ,
        **fields,
    )
    order.status = status
    order.assignee_id = tech.id if tech else None
    session.flush()
    return order


def _items(session, order):
    return {
        i.key: i
        for i in session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.work_order_id == order.id)
            .order_by(ChecklistItem.position)
        )
    }


def _answer(client, app, user, order, item, body):
    return client.put(
        f"/api/v1/work-orders/{order.id}/checklist/{item.id}", json=body, headers=bearer(app, user)
    )


def _complete(client, app, user, order, lang="en"):
    return client.post(
        f"/api/v1/work-orders/{order.id}/transitions",
        json={"action": "complete", "resolution": "清洗滤网 cleaned"},
        headers=bearer(app, user, **{"Accept-Language": lang}),
    )


# --- creation: checklist, site, warranty ----------------------------------------------------


def test_an_order_on_an_asset_gets_its_models_checklist_site_and_warranty_flag(session, asset):
    order = _order_on(session, asset)
    assert order.site_id == asset.site_id
    assert list(_items(session, order)) == ["filter_clean", "supply_temp", "remarks"]
    assert order.billable is False  # warranty until the end of 2027
    expired = make_asset(session, model=asset.model, warranty_until=date(2020, 1, 1))
    assert _order_on(session, expired).billable is True


def test_the_warranty_is_judged_on_the_organisations_calendar_day(session, asset):
    # 02:00 UTC on 1 December is still 30 November in Los Angeles, already 1 December in
    # Shanghai: a warranty that ends on 30 November covers the order only in Los Angeles.
    last_day = make_asset(session, model=asset.model, warranty_until=date(2026, 11, 30))
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)

    def billable(timezone):
        return workorders_service.create_work_order(
            session, actor=AGENT, customer_id=last_day.customer_id, asset_id=last_day.id,
            summary="x", now=now, timezone=timezone,
        ).billable  # fmt: skip

    assert billable("America/Los_Angeles") is False
    assert billable("Asia/Shanghai") is True


def test_an_order_cannot_name_another_customers_asset_or_another_site(session, asset):
    stranger = make_customer(session)
    with pytest.raises(ValidationFailed) as foreign:
        workorders_service.create_work_order(
            session, actor=AGENT, customer_id=stranger.id, asset_id=asset.id, summary="x",
            now=utcnow(), timezone=TZ,
        )  # fmt: skip
    assert foreign.value.errors == {"json": {"asset_id": ["unknown_asset"]}}
    other_site = make_site(session, customer=session.get(type(stranger), asset.customer_id))
    with pytest.raises(ValidationFailed) as elsewhere:
        workorders_service.create_work_order(
            session, actor=AGENT, customer_id=asset.customer_id, site_id=other_site.id,
            asset_id=asset.id, summary="x", now=utcnow(), timezone=TZ,
        )  # fmt: skip
    assert elsewhere.value.errors == {"json": {"asset_id": ["asset_at_other_site"]}}


def test_the_work_order_api_shows_the_asset_and_billable(client, app, session, asset):
    agent = make_user(session, role="agent")
    created = client.post(
        "/api/v1/work-orders",
        json={"customer_id": str(asset.customer_id), "asset_id": str(asset.id), "summary": "漏水"},
        headers=bearer(app, agent),
    )
    assert created.status_code == 201, created.json
    assert created.json["asset"]["serial"] == asset.serial
    assert created.json["billable"] is False
    listed = client.get(
        "/api/v1/work-orders", query_string={"asset_id": str(asset.id)}, headers=bearer(app, agent)
    )
    assert [o["id"] for o in listed.json] == [created.json["id"]]


# --- answering and the completion guard ----------------------------------------------------


def test_complete_is_refused_while_a_required_item_is_unanswered(client, app, session, asset, tech):
    order = _order_on(session, asset, tech=tech)
    items = _items(session, order)
    refused = _complete(client, app, tech.user, order)
    assert refused.status_code == 409
    assert refused.json["error"] == "checklist_incomplete"
    assert [m["key"] for m in refused.json["missing_items"]] == ["filter_clean", "supply_temp"]
    assert refused.json["message"] == "Some required checklist items are not done yet."
    in_chinese = _complete(client, app, tech.user, order, lang="zh-CN").json
    assert in_chinese["missing_items"][0]["label"]["zh-CN"] == "滤网已清洁"
    assert in_chinese["message"] != refused.json["message"]
    assert session.get(WorkOrder, order.id).status == "in_progress"
    assert (
        _answer(client, app, tech.user, order, items["filter_clean"], {"value": True}).status_code
        == 200
    )
    still = _complete(client, app, tech.user, order)
    assert [m["key"] for m in still.json["missing_items"]] == ["supply_temp"]
    answered = _answer(
        client, app, tech.user, order, items["supply_temp"], {"value": 9.5, "unit": "°C"}
    )
    assert answered.status_code == 200, answered.json
    assert (answered.json["value"], answered.json["passed"]) == ("9.5", True)
    done = _complete(client, app, tech.user, order)
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"


def test_a_failed_check_opens_one_follow_up_linked_to_the_job(client, app, session, asset, tech):
    order = _order_on(session, asset, tech=tech)
    items = _items(session, order)
    hot = _answer(
        client, app, tech.user, order, items["supply_temp"], {"value": "21", "note": "制冷不足"}
    )
    assert hot.status_code == 200, hot.json
    assert hot.json["passed"] is False
    follow_id = hot.json["follow_up_work_order_id"]
    follow = session.get(WorkOrder, uuid.UUID(follow_id))
    assert follow.follow_up_of_id == order.id
    assert (follow.asset_id, follow.site_id, follow.priority) == (asset.id, order.site_id, "high")
    assert "21 °C" in follow.summary
    # Answered again, still out of range: no second follow-up.
    again = _answer(client, app, tech.user, order, items["supply_temp"], {"value": "22"})
    assert again.json["follow_up_work_order_id"] == follow_id
    failed = _answer(client, app, tech.user, order, items["filter_clean"], {"value": False})
    assert failed.json["follow_up_work_order_id"] not in (None, follow_id)
    follow_ups = session.scalars(
        select(WorkOrder).where(WorkOrder.follow_up_of_id == order.id)
    ).all()
    assert len(follow_ups) == 2
    events = [
        e.action
        for e in session.scalars(
            select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == order.id)
        )
    ]
    assert events.count("follow_up_created") == 2


def test_a_passed_check_or_an_item_without_follow_up_opens_nothing(
    client, app, session, asset, tech
):
    order = _order_on(session, asset, tech=tech)
    items = _items(session, order)
    ok = _answer(client, app, tech.user, order, items["filter_clean"], {"value": True})
    assert ok.json["follow_up_work_order_id"] is None
    note = _answer(client, app, tech.user, order, items["remarks"], {"value": "正常"})
    assert note.json["passed"] is None
    assert session.scalar(select(WorkOrder).where(WorkOrder.follow_up_of_id == order.id)) is None


@pytest.mark.parametrize(
    ("key", "body", "field", "slug"),
    [
        ("filter_clean", {"value": "yes"}, "value", "yes_or_no_required"),
        ("supply_temp", {"value": "warm"}, "value", "number_required"),
        ("supply_temp", {"value": True}, "value", "number_required"),
        ("supply_temp", {"value": 9, "unit": "°F"}, "unit", "wrong_unit"),
        ("remarks", {"value": "  "}, "value", "text_required"),
    ],
)
def test_an_answer_must_fit_its_item(client, app, session, asset, tech, key, body, field, slug):
    order = _order_on(session, asset, tech=tech)
    response = _answer(client, app, tech.user, order, _items(session, order)[key], body)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {field: [translate(slug, "zh-CN")]}
    assert _items(session, order)[key].value is None


def test_a_photo_item_needs_the_photo_uploaded_to_the_job(client, app, session, tech):
    photo_template = make_template(
        session,
        items=[
            {"key": "nameplate", "label": {"zh-CN": "铭牌照片", "en": "Nameplate"}, "kind": "photo"}
        ],
    )
    asset = make_asset(session, model=make_model(session, template=photo_template))
    order = _order_on(session, asset, tech=tech)
    item = _items(session, order)["nameplate"]
    assert _answer(client, app, tech.user, order, item, {"value": "nope"}).json["errors"] == {
        "json": {"value": [translate("upload_required", "zh-CN")]}
    }
    missing = _answer(client, app, tech.user, order, item, {"value": "a" * 64})
    assert (missing.status_code, missing.json["error"]) == (409, "upload_missing")


def test_who_may_answer_and_when(client, app, session, asset, tech):
    order = _order_on(session, asset, tech=tech)
    item = _items(session, order)["filter_clean"]
    other = make_technician(session)
    assert _answer(client, app, other.user, order, item, {"value": True}).status_code == 404
    warehouse = make_user(session, role="warehouse")
    assert _answer(client, app, warehouse, order, item, {"value": True}).status_code == 403
    agent = make_user(session, role="agent")
    assert _answer(client, app, agent, order, item, {"value": True}).status_code == 403
    assert (
        client.put(
            f"/api/v1/work-orders/{order.id}/checklist/{item.id}", json={"value": True}
        ).status_code
        == 401
    )
    dispatcher = make_user(session, role="dispatcher")
    assert _answer(client, app, dispatcher, order, item, {"value": True}).status_code == 200
    not_yet = _order_on(session, asset, tech=tech, status="assigned")
    early = _answer(
        client, app, tech.user, not_yet, _items(session, not_yet)["filter_clean"], {"value": True}
    )
    assert (early.status_code, early.json["error"]) == (409, "checklist_not_editable")
    unknown = client.put(
        f"/api/v1/work-orders/{order.id}/checklist/{uuid.uuid4()}",
        json={"value": True},
        headers=bearer(app, tech.user),
    )
    assert unknown.status_code == 404
    malformed = client.put(
        f"/api/v1/work-orders/{order.id}/checklist/{item.id}",
        data="{not json",
        headers={**bearer(app, tech.user), "Content-Type": "application/json"},
    )
    assert (malformed.status_code, malformed.json["error"]) == (400, "malformed_json")
    assert (
        client.put(
            f"/api/v1/work-orders/{order.id}/checklist/{item.id}",
            json={},
            headers=bearer(app, tech.user),
        ).status_code
        == 422
    )


def test_reading_the_checklist(client, app, session, asset, tech):
    order = _order_on(session, asset, tech=tech)
    response = client.get(
        f"/api/v1/work-orders/{order.id}/checklist", headers=bearer(app, tech.user)
    )
    assert response.status_code == 200
    assert [i["key"] for i in response.json] == ["filter_clean", "supply_temp", "remarks"]
    assert response.json[1]["min_value"] == "5.000"
    assert response.json[1]["label"] == {"zh-CN": "出风温度", "en": "Supply air temperature"}


# --- the engineer app -----------------------------------------------------------------------


def _op(order, type_, **payload):
    return {
        "op_id": f"op-{uuid.uuid4().hex[:16]}",
        "type": type_,
        "work_order_id": str(order.id),
        "base_version": order.version,
        "at": utcnow().isoformat(),
        "payload": payload,
    }


def test_the_phone_answers_items_through_ops_and_replays_change_nothing(
    client, app, session, asset, tech
):
    order = _order_on(session, asset, tech=tech)
    items = _items(session, order)
    ops = [
        _op(order, "checklist_item", item_id=str(items["filter_clean"].id), value=True),
        _op(order, "checklist_item", item_id=str(items["supply_temp"].id), value=30, unit="°C"),
        _op(order, "checklist_item", item_id=str(uuid.uuid4()), value=True),
        _op(order, "complete", resolution="done"),
    ]
    results = client.post("/mobile/v1/ops", json={"ops": ops}, headers=bearer(app, tech.user)).json[
        "results"
    ]
    assert [(r["status"], r["error"]) for r in results] == [
        ("applied", None), ("applied", None), ("rejected", "checklist_item_not_found"),
        ("applied", None),
    ]  # fmt: skip
    job = results[-1]["work_order"]
    assert job["status"] == "completed"
    assert [i["passed"] for i in job["checklist"]][:2] == [True, False]
    assert job["checklist"][1]["follow_up_work_order_id"]
    replay = client.post("/mobile/v1/ops", json={"ops": ops}, headers=bearer(app, tech.user)).json[
        "results"
    ]
    assert {r["status"] for r in replay} == {"duplicate"}
    assert (
        len(session.scalars(select(WorkOrder).where(WorkOrder.follow_up_of_id == order.id)).all())
        == 1
    )


def test_the_phone_refuses_complete_until_the_checklist_is_done(client, app, session, asset, tech):
    order = _order_on(session, asset, tech=tech)
    result = client.post(
        "/mobile/v1/ops", json={"ops": [_op(order, "complete", resolution="done")]},
        headers=bearer(app, tech.user),
    ).json["results"][0]  # fmt: skip
    assert (result["status"], result["error"]) == ("rejected", "checklist_incomplete")


def test_sync_sends_the_checklist_and_the_asset_with_its_warranty_and_history(
    client, app, session, asset, tech
):
    earlier = _order_on(session, asset, status="closed")
    order = _order_on(session, asset, tech=tech, status="assigned")
    body = client.get("/mobile/v1/sync", headers=bearer(app, tech.user)).json
    (job,) = body["work_orders"]
    assert job["id"] == str(order.id)
    assert [i["key"] for i in job["checklist"]] == ["filter_clean", "supply_temp", "remarks"]
    card = job["asset"]
    assert (card["serial"], card["under_warranty"], card["warranty_until"]) == (
        asset.serial, True, "2027-12-31",
    )  # fmt: skip
    assert earlier.number in [h["number"] for h in card["history"]]
    assert job["billable"] is False


# --- alarms from connected equipment --------------------------------------------------------


def _alarm(asset, code="E17", minute=0):
    return {
        "asset_serial": asset.serial.lower(),
        "alarm_code": code,
        "message": "高压保护 high pressure trip",
        "occurred_at": f"2026-11-23T10:{minute:02d}:00+08:00",
    }


def test_an_alarm_code_sets_category_and_priority_and_repeats_join_the_open_order(
    client, app, session, asset
):
    category = Category(
        code=f"hvac-{uuid.uuid4().hex[:6]}", level=1, name_zh="暖通", name_en="HVAC"
    )
    session.add(category)
    session.flush()
    admin = make_user(session, role="admin")
    mapped = client.post(
        "/api/v1/alarm-codes",
        json={"code": "E17", "model_id": str(asset.model_id), "category_id": str(category.id),
              "priority": "urgent", "description": {"zh-CN": "高压保护", "en": "High pressure"}},
        headers=bearer(app, admin),
    )  # fmt: skip
    assert mapped.status_code == 201, mapped.json
    gateway = apikeys.create_api_key(session, name="BMS", kind="iot", customer_id=asset.customer_id)
    first = client.post(
        "/api/v1/intake/iot",
        **dict(zip(("data", "headers"), signed(gateway, _alarm(asset)), strict=True)),
    )
    assert first.json["outcome"] == "created", first.json
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == first.json["number"]))
    assert (order.priority, order.category_id, order.asset_id) == ("urgent", category.id, asset.id)
    assert order.triage["alarm_code"]["code"] == "E17"
    for minute in (5, 10):
        again = client.post(
            "/api/v1/intake/iot",
            **dict(
                zip(("data", "headers"), signed(gateway, _alarm(asset, "E18", minute)), strict=True)
            ),
        )
        assert (again.json["outcome"], again.json["number"]) == ("duplicate", order.number)
    assert len(session.scalars(select(WorkOrder).where(WorkOrder.asset_id == asset.id)).all()) == 1


def test_an_alarm_for_another_customers_asset_is_refused(client, session, asset):
    gateway = apikeys.create_api_key(
        session, name="BMS", kind="iot", customer_id=make_customer(session).id
    )
    raw, headers = signed(gateway, _alarm(asset))
    refused = client.post("/api/v1/intake/iot", data=raw, headers=headers)
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {"asset_serial": [translate("unknown_asset", "zh-CN")]}
    assert session.scalar(select(WorkOrder).where(WorkOrder.asset_id == asset.id)) is None


def test_a_gateway_without_a_customer_files_for_the_assets_customer(client, session, asset):
    gateway = apikeys.create_api_key(session, name="Cloud", kind="iot")
    raw, headers = signed(gateway, _alarm(asset))
    created = client.post("/api/v1/intake/iot", data=raw, headers=headers)
    assert created.json["outcome"] == "created"
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == created.json["number"]))
    assert (order.customer_id, order.site_id) == (asset.customer_id, asset.site_id)
    # Warranty applies to alarms too.
    assert order.billable is False
    assert order.created_at > utcnow() - timedelta(minutes=5)
