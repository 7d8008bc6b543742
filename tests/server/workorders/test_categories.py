"""The category tree: admin-managed, three levels, names in both languages."""

from __future__ import annotations

import pytest

from tests.factories import bearer, make_user

URL = "/api/v1/categories"


def _create(client, headers, code, parent=None):
    body = {"code": code, "name": {"zh-CN": f"分类 {code}", "en": f"Category {code}"}}
    if parent:
        body["parent_id"] = parent
    return client.post(URL, json=body, headers=headers)


def test_admin_builds_a_three_level_tree_and_no_deeper(client, session, app):
    headers = bearer(app, make_user(session, role="admin"))
    top = _create(client, headers, "hvac").json
    mid = _create(client, headers, "hvac.ac", top["id"]).json
    leaf = _create(client, headers, "hvac.ac.not_cooling", mid["id"]).json
    assert (top["level"], mid["level"], leaf["level"]) == (1, 2, 3)
    assert leaf["name"] == {
        "zh-CN": "分类 hvac.ac.not_cooling",
        "en": "Category hvac.ac.not_cooling",
    }
    too_deep = _create(client, headers, "hvac.ac.not_cooling", leaf["id"])
    assert too_deep.status_code == 422
    assert "parent_id" in too_deep.json["errors"]["json"]
    duplicate = _create(client, headers, "hvac")
    assert duplicate.status_code == 422
    listed = client.get(URL, headers=headers).json
    assert [c["code"] for c in listed] == ["hvac", "hvac.ac", "hvac.ac.not_cooling"]


def test_retired_categories_cannot_be_used_on_new_orders(client, session, app):
    from tests.factories import make_customer

    headers = bearer(app, make_user(session, role="admin"))
    category = _create(client, headers, "plumbing").json
    retired = client.patch(f"{URL}/{category['id']}", json={"active": False}, headers=headers)
    assert retired.json["active"] is False
    order = client.post(
        "/api/v1/work-orders",
        json={
            "customer_id": str(make_customer(session).id),
            "summary": "x",
            "category_id": category["id"],
        },
        headers=headers,
    )
    assert order.status_code == 422
    assert order.json["errors"]["json"]["category_id"] == ["分类不存在或已停用。"]


@pytest.mark.parametrize("role", ["dispatcher", "agent", "technician", "warehouse", "manager"])
def test_only_admins_change_the_tree(client, session, app, role):
    headers = bearer(app, make_user(session, role=role))
    assert _create(client, headers, "network").status_code == 403
    assert client.get(URL, headers=headers).status_code == 200


def test_bad_codes_are_refused(client, session, app):
    headers = bearer(app, make_user(session, role="admin"))
    for code in ("HVAC", "a..b", "1abc", "a.b.c.d"):
        assert _create(client, headers, code).status_code == 422, code
