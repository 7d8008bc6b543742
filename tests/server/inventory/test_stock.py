"""Stock and the ledger over HTTP: receipts, transfers, adjustments, the check, low stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from server.inventory import service
from server.inventory.models import StockLevel, StockMove
from tests.factories import bearer, make_part, make_technician, make_user, make_van, make_warehouse

BASE = "/api/v1/inventory"


@pytest.fixture
def keeper(session):
    return make_user(session, role="warehouse")


def level(session, part, location):
    row = session.get(StockLevel, (part.id, location.id), populate_existing=True)
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))


def test_receive_transfer_and_adjust_are_all_in_the_ledger(client, app, session, keeper):
    part = make_part(session)
    wh = make_warehouse(session)
    van = make_van(session, technician=make_technician(session))
    headers = bearer(app, keeper)
    received = client.post(
        f"{BASE}/receipts",
        json={"location_id": str(wh.id), "lines": [{"part_id": str(part.id), "quantity": 10}]},
        headers=headers,
    )
    assert received.status_code == 201, received.json
    moved = client.post(
        f"{BASE}/transfers",
        json={"from_location_id": str(wh.id), "to_location_id": str(van.id),
              "lines": [{"part_id": str(part.id), "quantity": 3}]},
        headers=headers,
    )  # fmt: skip
    assert moved.status_code == 201, moved.json
    lost = client.post(
        f"{BASE}/adjustments",
        json={"location_id": str(wh.id), "part_id": str(part.id), "quantity": -2,
              "reason": "盘点短少 count short"},
        headers=headers,
    )  # fmt: skip
    assert lost.status_code == 201, lost.json
    assert level(session, part, wh) == (Decimal(5), Decimal(0))
    assert level(session, part, van) == (Decimal(3), Decimal(0))
    history = client.get(f"{BASE}/moves?part_id={part.id}", headers=headers).json
    assert [m["kind"] for m in history] == ["adjustment", "transfer", "receipt"]
    assert history[0]["reason"] == "盘点短少 count short"
    assert service.check_ledger(session) == []
    stock = client.get(f"{BASE}/stock?part_id={part.id}", headers=headers).json
    assert {(s["location"]["code"], s["available"]) for s in stock} == {
        (wh.code, "5.000"),
        (van.code, "3.000"),
    }


@pytest.mark.parametrize(
    ("quantity", "unit", "error"),
    [(0, "pcs", "数量必须大于零"), (-1, "pcs", "数量必须大于零"),
     (1.5, "pcs", "整数"), ("0.0001", "m", "三位小数")],
)  # fmt: skip
def test_bad_quantities_are_refused_and_write_nothing(
    client, app, session, keeper, quantity, unit, error
):
    part = make_part(session, unit=unit)
    wh = make_warehouse(session)
    response = client.post(
        f"{BASE}/receipts",
        json={
            "location_id": str(wh.id),
            "lines": [{"part_id": str(part.id), "quantity": quantity}],
        },
        headers=bearer(app, keeper),
    )
    assert response.status_code == 422
    assert error in response.json["errors"]["json"]["lines"]["0"]["quantity"][0]
    assert session.scalar(select(func.count()).select_from(StockMove)) == 0


def test_a_transfer_cannot_take_more_than_is_free(client, app, session, keeper):
    part = make_part(session)
    wh, other = make_warehouse(session), make_warehouse(session)
    service.receive(session, location_id=wh.id, lines=[{"part_id": part.id, "quantity": 2}],
                    actor=_keeper(keeper), now=_now())  # fmt: skip
    response = client.post(
        f"{BASE}/transfers",
        json={"from_location_id": str(wh.id), "to_location_id": str(other.id),
              "lines": [{"part_id": str(part.id), "quantity": 3}]},
        headers=bearer(app, keeper, **{"Accept-Language": "en"}),
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json["error"] == "insufficient_stock"
    assert level(session, part, wh) == (Decimal(2), Decimal(0))
    same = client.post(
        f"{BASE}/transfers",
        json={"from_location_id": str(wh.id), "to_location_id": str(wh.id),
              "lines": [{"part_id": str(part.id), "quantity": 1}]},
        headers=bearer(app, keeper),
    )  # fmt: skip
    assert same.status_code == 422


def test_only_stock_keepers_move_stock(client, app, session):
    part = make_part(session)
    wh = make_warehouse(session)
    body = {"location_id": str(wh.id), "lines": [{"part_id": str(part.id), "quantity": 1}]}
    for role in ("dispatcher", "agent", "technician", "manager"):
        user = make_user(session, role=role)
        assert (
            client.post(f"{BASE}/receipts", json=body, headers=bearer(app, user)).status_code == 403
        )
    assert client.post(f"{BASE}/receipts", json=body).status_code == 401


def test_an_adjustment_needs_a_reason_and_a_nonzero_quantity(client, app, session, keeper):
    part = make_part(session)
    wh = make_warehouse(session)
    body = {"location_id": str(wh.id), "part_id": str(part.id), "quantity": 0, "reason": "x"}
    assert (
        client.post(f"{BASE}/adjustments", json=body, headers=bearer(app, keeper)).status_code
        == 422
    )
    no_reason = {**body, "quantity": 1, "reason": ""}
    assert (
        client.post(f"{BASE}/adjustments", json=no_reason, headers=bearer(app, keeper)).status_code
        == 422
    )


def test_the_ledger_check_finds_a_corrupted_level(app, session, keeper):
    part = make_part(session)
    wh = make_warehouse(session)
    service.receive(session, location_id=wh.id, lines=[{"part_id": part.id, "quantity": 4}],
                    actor=_keeper(keeper), now=_now())  # fmt: skip
    assert service.check_ledger(session) == []
    session.execute(
        text("UPDATE stock_levels SET on_hand = 7 WHERE part_id = :p AND location_id = :l"),
        {"p": part.id, "l": wh.id},
    )
    [difference] = service.check_ledger(session)
    assert (difference.on_hand, difference.on_hand_from_ledger) == (Decimal(7), Decimal(4))
    result = app.test_cli_runner().invoke(args=["inventory", "check"])
    assert result.exit_code == 1
    assert "on hand 7.000 (ledger 4.000)" in result.output


def test_the_ledger_is_append_only(session, keeper):
    part = make_part(session)
    wh = make_warehouse(session)
    service.receive(session, location_id=wh.id, lines=[{"part_id": part.id, "quantity": 1}],
                    actor=_keeper(keeper), now=_now())  # fmt: skip
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("UPDATE stock_moves SET quantity = 100"))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM stock_moves"))


def test_levels_cannot_go_negative_even_by_sql(session):
    part = make_part(session)
    wh = make_warehouse(session)
    session.add(StockLevel(part_id=part.id, location_id=wh.id, on_hand=1, reserved=0))
    session.flush()
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE stock_levels SET reserved = 2"))
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE stock_levels SET on_hand = -1, reserved = 0"))


def test_low_stock_lists_parts_at_or_below_their_reorder_point(client, app, session, keeper):
    low = make_part(session, reorder_point=Decimal(5), reorder_quantity=Decimal(20))
    fine = make_part(session, reorder_point=Decimal(2))
    wh = make_warehouse(session)
    for part, quantity in ((low, 5), (fine, 10)):
        lines = [{"part_id": part.id, "quantity": quantity}]
        service.receive(session, location_id=wh.id, lines=lines, actor=_keeper(keeper), now=_now())
    rows = client.get(f"{BASE}/low-stock", headers=bearer(app, keeper)).json
    mine = [r for r in rows if r["location"]["id"] == str(wh.id)]
    assert [(r["part"]["sku"], r["available"], r["reorder_quantity"]) for r in mine] == [
        (low.sku, "5.000", "20.000")
    ]


def test_parts_catalogue(client, app, session, keeper):
    created = client.post(
        f"{BASE}/parts",
        json={"sku": "CAP-35UF", "unit": "pcs", "unit_cost": "18.50", "reorder_point": 10,
              "name": {"zh-CN": "压缩机启动电容 35μF", "en": "Compressor capacitor 35uF"},
              "skill_code": "hvac"},
        headers=bearer(app, keeper),
    )  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["name"]["zh-CN"].startswith("压缩机")
    again = client.post(
        f"{BASE}/parts",
        json={"sku": "CAP-35UF", "name": {"zh-CN": "x", "en": "x"}, "unit": "pcs", "unit_cost": 1},
        headers=bearer(app, keeper),
    )
    assert again.status_code == 409
    bad_unit = client.post(
        f"{BASE}/parts",
        json={"sku": "X-1", "name": {"zh-CN": "x", "en": "x"}, "unit": "dozen", "unit_cost": 1},
        headers=bearer(app, keeper),
    )
    assert bad_unit.status_code == 422
    found = client.get(f"{BASE}/parts?q=电容", headers=bearer(app, keeper)).json
    assert [p["sku"] for p in found] == ["CAP-35UF"]


def _keeper(user):
    from tests.factories import actor_for

    return actor_for(user)


def _now():
    from server.db import utcnow

    return utcnow()
