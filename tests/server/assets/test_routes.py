"""Assets over HTTP: models, assets (filters, paging), readings (validated, signed bulk),
history, plans and the forecast; roles denied and malformed payloads refused."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from server.assets.models import Asset, MeterReading
from server.auth import apikeys
from server.db import utcnow
from server.i18n import translate
from server.inventory import reservations
from server.workorders import service as workorders_service
from tests.factories import (
    actor_for,
    bearer,
    make_customer,
    make_part,
    make_site,
    make_technician,
    make_user,
    make_van,
    signed,
    stock,
)
from tests.server.assets.conftest import TZ, make_asset, make_model, make_plan

MODELS = "/api/v1/asset-models"
ASSETS = "/api/v1/assets"
PLANS = "/api/v1/maintenance-plans"


@pytest.fixture
def admin(session):
    return make_user(session, role="admin")


def _field_error(response, field):
    return response.json["errors"]["json"][field]


# --- models and assets ----------------------------------------------------------------------


def test_an_asset_model_with_meters_checklist_and_compatible_parts(
    client, app, session, admin, template
):
    part = make_part(session)
    created = client.post(
        MODELS,
        json={
            "manufacturer": "Otis", "model": "Gen2", "kind": "lift",
            "meters": [{"code": "trips", "unit": "次"}, {"code": "door_cycles", "unit": "次"}],
            "checklist_template_id": str(template.id), "part_ids": [str(part.id)],
        },
        headers=bearer(app, admin),
    )  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["parts"][0]["sku"] == part.sku
    assert created.json["meters"][0] == {"code": "trips", "unit": "次", "counter": True}
    again = client.post(
        MODELS, json={"manufacturer": "Otis", "model": "Gen2", "kind": "lift"},
        headers=bearer(app, admin),
    )  # fmt: skip
    assert again.status_code == 422
    assert _field_error(again, "model") == [translate("model_taken", "zh-CN")]
    unknown_part = client.post(
        MODELS,
        json={
            "manufacturer": "Otis",
            "model": "Gen3",
            "kind": "lift",
            "part_ids": [str(uuid.uuid4())],
        },
        headers=bearer(app, admin),
    )
    assert unknown_part.status_code == 422
    listed = client.get(MODELS, query_string={"kind": "lift"}, headers=bearer(app, admin))
    assert [m["model"] for m in listed.json] == ["Gen2"]


def test_registering_and_finding_assets(client, app, session, admin, ac_model):
    site = make_site(session, customer=make_customer(session))
    created = client.post(
        ASSETS,
        json={"serial": "AC-0001", "model_id": str(ac_model.id), "site_id": str(site.id),
              "installed_on": "2025-06-01", "warranty_until": "2027-05-31", "name": "3F 机房"},
        headers=bearer(app, admin),
    )  # fmt: skip
    assert created.status_code == 201, created.json
    body = created.json
    assert body["customer_id"] == str(site.customer_id)
    assert len(body["qr_code"]) >= 16
    assert body["meters"] == [{"code": "run_hours", "unit": "h", "counter": True}]
    component = client.post(
        ASSETS,
        json={"serial": "AC-0001-C1", "model_id": str(ac_model.id), "site_id": str(site.id),
              "parent_id": body["id"]},
        headers=bearer(app, admin),
    )  # fmt: skip
    assert component.status_code == 201
    taken = client.post(
        ASSETS,
        json={"serial": "ac-0001", "model_id": str(ac_model.id), "site_id": str(site.id)},
        headers=bearer(app, admin),
    )
    assert _field_error(taken, "serial") == [translate("serial_taken", "zh-CN")]
    make_asset(session, model=ac_model, status="retired")
    for query, expected in (
        ({"site_id": str(site.id)}, {"AC-0001", "AC-0001-C1"}),
        ({"customer_id": str(site.customer_id), "q": "c1"}, {"AC-0001-C1"}),
        ({"q": "3F"}, {"AC-0001"}),
        ({"status": "retired", "model_id": str(ac_model.id)}, None),
    ):
        found = client.get(ASSETS, query_string=query, headers=bearer(app, admin))
        assert found.status_code == 200
        serials = {a["serial"] for a in found.json}
        if expected is None:
            assert len(serials) == 1
        else:
            assert serials == expected
    paged = client.get(
        ASSETS, query_string={"site_id": str(site.id), "page_size": 1}, headers=bearer(app, admin)
    )
    assert len(paged.json) == 1
    assert json.loads(paged.headers["X-Pagination"])["total"] == 2


@pytest.mark.parametrize(
    ("change", "field", "slug"),
    [
        ({"warranty_until": "2020-01-01", "installed_on": "2021-01-01"}, "warranty_until",
         "warranty_before_install"),
        ({"model_id": str(uuid.UUID(int=1))}, "model_id", "unknown_asset_model"),
        ({"site_id": str(uuid.UUID(int=1))}, "site_id", "unknown_site"),
    ],
)  # fmt: skip
def test_an_asset_edit_is_checked(client, app, session, admin, asset, change, field, slug):
    response = client.patch(f"{ASSETS}/{asset.id}", json=change, headers=bearer(app, admin))
    assert response.status_code == 422
    assert _field_error(response, field) == [translate(slug, "zh-CN")]


def test_an_asset_cannot_contain_itself(client, app, session, admin, asset):
    child = make_asset(session, model=asset.model, site=asset.site, parent_id=asset.id)
    response = client.patch(
        f"{ASSETS}/{asset.id}", json={"parent_id": str(child.id)}, headers=bearer(app, admin)
    )
    assert _field_error(response, "parent_id") == [translate("parent_cycle", "zh-CN")]
    moved = client.patch(
        f"{ASSETS}/{asset.id}", json={"status": "out_of_service"}, headers=bearer(app, admin)
    )
    assert (moved.status_code, moved.json["status"], moved.json["version"]) == (
        200, "out_of_service", 2,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("role", "method", "path", "body"),
    [
        ("technician", "post", ASSETS, {}),
        ("agent", "post", MODELS, {}),
        ("warehouse", "post", PLANS, {}),
        ("agent", "post", "/api/v1/checklist-templates", {}),
        ("manager", "post", "/api/v1/alarm-codes", {}),
        ("warehouse", "post", f"{ASSETS}/{uuid.UUID(int=5)}/readings", {}),
        ("technician", "post", f"{PLANS}/{uuid.UUID(int=5)}/pause", None),
        ("agent", "post", f"{PLANS}/generate", None),
    ],
)
def test_roles_that_may_not_write_are_refused(client, app, session, role, method, path, body):
    user = make_user(session, role=role)
    response = getattr(client, method)(path, json=body, headers=bearer(app, user))
    assert response.status_code == 403
    assert response.json["error"] == "forbidden"


@pytest.mark.parametrize(
    "path", [ASSETS, MODELS, PLANS, f"{PLANS}/forecast", "/api/v1/checklist-templates"]
)
def test_lists_need_a_login(client, path):
    assert client.get(path).status_code == 401


def test_malformed_payloads_are_refused_without_writing(client, app, session, admin, ac_model):
    headers = {**bearer(app, admin), "Content-Type": "application/json"}
    broken = client.post(ASSETS, data="{", headers=headers)
    assert (broken.status_code, broken.json["error"]) == (400, "malformed_json")
    missing = client.post(ASSETS, json={"serial": "X"}, headers=bearer(app, admin))
    assert missing.status_code == 422
    assert {"model_id", "site_id"} <= set(missing.json["errors"]["json"])
    wrong_types = client.post(
        ASSETS,
        json={"serial": 5, "model_id": "nope", "site_id": str(uuid.uuid4()), "status": "lost"},
        headers=bearer(app, admin, **{"Accept-Language": "en"}),
    )
    assert set(wrong_types.json["errors"]["json"]) == {"serial", "model_id", "status"}
    template = client.post(
        "/api/v1/checklist-templates",
        json={"code": "t", "name": {"zh-CN": "检查", "en": "Check"},
              "items": [{"key": "a", "label": {"zh-CN": "甲", "en": "A"}, "kind": "number",
                         "min_value": 5, "max_value": 1},
                        {"key": "a", "label": {"zh-CN": "乙", "en": "B"}, "kind": "text",
                         "follow_up": True}]},
        headers=bearer(app, admin, **{"Accept-Language": "en"}),
    )  # fmt: skip
    assert template.status_code == 422
    assert template.json["errors"]["json"]["items"] == {
        "0": {"max_value": ["The maximum is below the minimum."]},
        "1": {"key": ["Two items have the same key."],
              "follow_up": ["Only yes/no and number items can open a follow-up."]},
    }  # fmt: skip
    assert session.scalar(select(func.count()).select_from(Asset).where(Asset.serial == "X")) == 0


# --- readings -------------------------------------------------------------------------------


def _read(client, app, user, asset, **body):
    return client.post(f"{ASSETS}/{asset.id}/readings", json=body, headers=bearer(app, user))


def test_readings_are_validated(client, app, session, admin, asset):
    at = utcnow() - timedelta(hours=2)
    first = _read(client, app, admin, asset, meter="run_hours", value="100.5", at=at.isoformat())
    assert first.status_code == 201, first.json
    assert Decimal(first.json["value"]) == Decimal("100.5")
    same = _read(client, app, admin, asset, meter="run_hours", value=100.5, at=at.isoformat())
    assert same.status_code == 200
    clash = _read(client, app, admin, asset, meter="run_hours", value=101, at=at.isoformat())
    assert (clash.status_code, clash.json["error"]) == (409, "reading_conflict")
    cases = [
        ({"meter": "odometer", "value": 1}, "meter", "unknown_meter"),
        ({"meter": "run_hours", "value": 200, "unit": "min"}, "unit", "wrong_unit"),
        ({"meter": "run_hours", "value": 99}, "value", "counter_went_down"),
        ({"meter": "run_hours", "value": 200, "at": (utcnow() + timedelta(hours=1)).isoformat()},
         "at", "reading_in_future"),
        ({"meter": "run_hours", "value": "100.0001"}, "value", "value_out_of_range"),
    ]  # fmt: skip
    for body, field, slug in cases:
        body.setdefault("at", utcnow().isoformat())
        response = _read(client, app, admin, asset, **body)
        assert response.status_code == 422, body
        assert _field_error(response, field) == [translate(slug, "zh-CN")], body
    # Going back in time is fine while the counter stays between its neighbours.
    earlier = _read(
        client,
        app,
        admin,
        asset,
        meter="run_hours",
        value=50,
        at=(at - timedelta(days=1)).isoformat(),
    )
    assert earlier.status_code == 201
    squeezed = _read(
        client,
        app,
        admin,
        asset,
        meter="run_hours",
        value=120,
        at=(at - timedelta(hours=1)).isoformat(),
    )
    assert _field_error(squeezed, "value") == [translate("counter_went_down", "zh-CN")]
    naive = _read(client, app, admin, asset, meter="run_hours", value=1, at="2026-01-01T10:00:00")
    assert naive.status_code == 422
    listed = client.get(f"{ASSETS}/{asset.id}/readings", headers=bearer(app, admin))
    assert [r["value"] for r in listed.json] == ["100.500", "50.000"]


def test_a_gauge_may_go_down(client, app, session, admin):
    gauge = make_asset(
        session,
        model=make_model(session, meters=[{"code": "pressure", "unit": "bar", "counter": False}]),
    )
    for value in (3, 2):
        response = _read(client, app, admin, gauge, meter="pressure", value=value,
                         at=(utcnow() - timedelta(minutes=10 * value)).isoformat())  # fmt: skip
        assert response.status_code == 201


FEED = "/api/v1/intake/iot/readings"


def test_the_signed_readings_feed_takes_each_reading_on_its_own(client, session, asset):
    stranger = make_asset(session, model=asset.model)
    gateway = apikeys.create_api_key(session, name="BMS", kind="iot", customer_id=asset.customer_id)
    at = utcnow() - timedelta(minutes=30)
    batch = {"readings": [
        {"serial": asset.serial, "meter": "run_hours", "value": 10, "at": at.isoformat()},
        {"serial": asset.serial, "meter": "run_hours", "value": 10, "at": at.isoformat()},
        {"serial": asset.serial, "meter": "run_hours", "value": 5,
         "at": (at + timedelta(minutes=5)).isoformat()},
        {"serial": stranger.serial, "meter": "run_hours", "value": 1, "at": at.isoformat()},
        {"serial": asset.serial, "meter": "volts", "value": 1, "at": at.isoformat()},
    ]}  # fmt: skip
    raw, headers = signed(gateway, batch)
    response = client.post(FEED, data=raw, headers=headers)
    assert response.status_code == 200, response.json
    assert [(r["status"], r["error"]) for r in response.json["results"]] == [
        ("stored", None), ("duplicate", None), ("rejected", "counter_went_down"),
        ("rejected", "unknown_asset"), ("rejected", "unknown_meter"),
    ]  # fmt: skip
    assert session.scalar(select(func.count()).select_from(MeterReading)) == 1


def test_the_readings_feed_needs_a_valid_signature_and_shape(client, session, asset):
    gateway = apikeys.create_api_key(session, name="BMS", kind="iot", customer_id=asset.customer_id)
    body = {"readings": [{"serial": asset.serial, "meter": "run_hours", "value": 1,
                          "at": utcnow().isoformat()}]}  # fmt: skip
    raw, headers = signed(gateway, body, secret="wrong")
    refused = client.post(FEED, data=raw, headers=headers)
    assert (refused.status_code, refused.json["error"]) == (401, "bad_signature")
    raw, headers = signed(gateway, {"readings": []})
    assert client.post(FEED, data=raw, headers=headers).status_code == 422
    raw, headers = signed(gateway, {"readings": [{"serial": asset.serial}]})
    shape = client.post(FEED, data=raw, headers=headers)
    assert shape.status_code == 422
    assert session.scalar(select(func.count()).select_from(MeterReading)) == 0


# --- history --------------------------------------------------------------------------------


def test_the_history_puts_orders_parts_readings_and_occurrences_in_one_timeline(
    client, app, session, admin, asset
):
    tech = make_technician(session)
    part = make_part(session)
    stock(session, part=part, location=make_van(session, technician=tech), quantity=5)
    order = workorders_service.create_work_order(
        session, actor=actor_for(admin), customer_id=asset.customer_id, asset_id=asset.id,
        summary="更换电容", now=utcnow() - timedelta(days=3), timezone=TZ,
    )  # fmt: skip
    order.status, order.assignee_id = "in_progress", tech.id
    session.flush()
    reservations.use_from_van(
        session, work_order_id=order.id, part_id=part.id, quantity=Decimal(2),
        actor=actor_for(tech.user, tech), now=utcnow() - timedelta(days=2),
    )  # fmt: skip
    _read(client, app, admin, asset, meter="run_hours", value=10,
          at=(utcnow() - timedelta(days=1)).isoformat())  # fmt: skip
    make_plan(session, asset_id=asset.id, lead_days=365)
    generated = client.post(f"{PLANS}/generate", headers=bearer(app, admin))
    assert len(generated.json["created"]) == 1
    history = client.get(f"{ASSETS}/{asset.id}/history", headers=bearer(app, admin))
    assert history.status_code == 200
    kinds = [e["kind"] for e in history.json]
    assert set(kinds) == {"work_order", "part", "reading", "occurrence"}
    assert [e["at"] for e in history.json] == sorted((e["at"] for e in history.json), reverse=True)
    used = next(e["part"] for e in history.json if e["kind"] == "part")
    assert (used["sku"], used["quantity"], used["work_order_number"]) == (
        part.sku, "2.000", order.number,
    )  # fmt: skip
    assert (
        client.get(f"{ASSETS}/{uuid.uuid4()}/history", headers=bearer(app, admin)).status_code
        == 404
    )


# --- plans over HTTP ------------------------------------------------------------------------


def test_plans_over_http_pause_skip_and_forecast(client, app, session, asset):
    planner = make_user(session, role="manager")
    headers = bearer(app, planner)
    today = datetime.now(UTC).date()
    created = client.post(
        PLANS,
        json={"name": "月度保养", "kind": "time", "asset_id": str(asset.id), "interval_count": 1,
              "interval_unit": "month", "start_on": (today + timedelta(days=20)).isoformat(),
              "lead_days": 7, "window_start": "09:00", "window_end": "12:00"},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.json
    plan_id = created.json["id"]
    assert created.json["anchor"] == "fixed"
    forecast = client.get(f"{PLANS}/forecast", query_string={"days": 90}, headers=headers).json
    mine = [e for e in forecast if e["plan_id"] == plan_id]
    assert len(mine) == 3
    assert mine[0]["due_on"] == (today + timedelta(days=20)).isoformat()
    assert mine[0]["status"] == "planned"
    skipped = client.post(
        f"{PLANS}/{plan_id}/skip", json={"due_on": mine[0]["due_on"]}, headers=headers
    )
    assert skipped.status_code == 201, skipped.json
    wrong = client.post(
        f"{PLANS}/{plan_id}/skip", json={"due_on": mine[0]["due_on"]}, headers=headers
    )
    assert (wrong.status_code, wrong.json["error"]) == (409, "not_next_occurrence")
    assert wrong.json["next_due_on"] == mine[1]["due_on"]
    paused = client.post(f"{PLANS}/{plan_id}/pause", headers=headers)
    assert paused.json["paused"] is True
    after = client.get(f"{PLANS}/forecast", query_string={"plan_id": plan_id}, headers=headers).json
    assert after == []
    assert client.post(f"{PLANS}/{plan_id}/resume", headers=headers).json["paused"] is False
    listed = client.get(PLANS, query_string={"asset_id": str(asset.id)}, headers=headers)
    assert [p["id"] for p in listed.json] == [plan_id]
    assert (
        client.get(f"{PLANS}/forecast", query_string={"days": 0}, headers=headers).status_code
        == 422
    )


def test_a_plan_names_an_asset_or_a_model(client, app, session, asset):
    planner = make_user(session, role="dispatcher")
    both = client.post(
        PLANS,
        json={"name": "x", "kind": "meter", "asset_id": str(asset.id),
              "model_id": str(asset.model_id), "meter": "run_hours", "meter_interval": "500"},
        headers=bearer(app, planner),
    )  # fmt: skip
    assert _field_error(both, "asset_id") == [translate("asset_or_model_required", "zh-CN")]
    meter = client.post(
        PLANS,
        json={"name": "x", "kind": "meter", "model_id": str(asset.model_id), "meter": "run_hours",
              "meter_interval": "500", "lead_days": 3},
        headers=bearer(app, planner),
    )  # fmt: skip
    assert meter.status_code == 201, meter.json
    assert meter.json["interval_unit"] is None


def test_components_warranty_and_a_forecast_narrowed_to_a_model_or_customer(
    client, app, session, asset
):
    headers = bearer(app, make_user(session, role="dispatcher"))
    component = make_asset(session, site=asset.site, parent_id=asset.id)
    expired = make_asset(session, warranty_until=datetime.now(UTC).date() - timedelta(days=2))
    other_model = make_model(session)
    make_plan(
        session,
        model_id=other_model.id,
        start_on=datetime.now(UTC).date() + timedelta(days=10),
    )
    make_asset(session, model=other_model)
    make_plan(session, asset_id=asset.id, start_on=datetime.now(UTC).date() + timedelta(days=5))

    listed = client.get(ASSETS, query_string={"parent_id": str(asset.id)}, headers=headers)
    assert [row["id"] for row in listed.json] == [str(component.id)]
    shown = {
        row["id"]: row["under_warranty"]
        for row in (client.get(f"{ASSETS}/{a.id}", headers=headers).json for a in (asset, expired))
    }
    assert shown == {str(asset.id): True, str(expired.id): False}

    by_model = client.get(
        f"{PLANS}/forecast", query_string={"model_id": str(other_model.id)}, headers=headers
    ).json
    assert by_model
    assert {e["model_id"] for e in by_model} == {str(other_model.id)}
    by_customer = client.get(
        f"{PLANS}/forecast", query_string={"customer_id": str(asset.customer_id)}, headers=headers
    ).json
    assert by_customer
    assert {e["asset_id"] for e in by_customer} == {str(asset.id)}
