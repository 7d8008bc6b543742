"""Customers, contacts and sites over HTTP: shapes, filters, paging, roles and refusals."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.factories import bearer, make_customer, make_site, make_user

CUSTOMERS = "/api/v1/customers"
SITES = "/api/v1/sites"
READERS = ["admin", "dispatcher", "agent", "manager"]
WRITERS = ["admin", "dispatcher", "agent"]


@pytest.fixture
def agent(session, app):
    return bearer(app, make_user(session, role="agent"))


@pytest.fixture
def agent_en(session, app):
    return bearer(app, make_user(session, role="agent"), **{"Accept-Language": "en"})


def site_body(customer_id, **fields):
    body = {
        "customer_id": str(customer_id),
        "address": "上海市黄浦区南京东路 100 号",
        "location": {"lat": 31.2304, "lon": 121.4737},
    }
    body.update(fields)
    return body


# --- customers ----------------------------------------------------------------------------


def test_agent_creates_a_customer_with_contacts_and_reads_it_back(client, agent):
    response = client.post(
        CUSTOMERS,
        json={
            "name": "  上海和平饭店 ",
            "tier": "vip",
            "phone": "021-6321 6888",
            "email": "service@peace.example.test",
            "contacts": [
                {"name": "王经理", "phone": "139 0000 0001", "title": "工程部经理"},
                {"name": "李前台", "is_primary": True},
            ],
        },
        headers=agent,
    )
    assert response.status_code == 201
    body = response.json
    assert body["name"] == "上海和平饭店"
    assert body["tier"] == "vip"
    assert body["phone"] == "02163216888"
    assert body["active"] is True
    assert body["sites_count"] == 0
    # The primary contact comes first.
    assert [c["name"] for c in body["contacts"]] == ["李前台", "王经理"]
    assert body["contacts"][1]["phone"] == "13900000001"
    assert body["contacts"][1]["title"] == "工程部经理"

    fetched = client.get(f"{CUSTOMERS}/{body['id']}", headers=agent)
    assert fetched.status_code == 200
    assert fetched.json == body


def test_customer_tier_defaults_to_standard(client, agent):
    response = client.post(CUSTOMERS, json={"name": "小店"}, headers=agent)
    assert response.status_code == 201
    assert response.json["tier"] == "standard"
    assert response.json["contacts"] == []


def test_customer_get_counts_active_sites(client, session, agent):
    customer = make_customer(session)
    make_site(session, customer=customer)
    make_site(session, customer=customer)
    make_site(session, customer=customer, active=False)
    response = client.get(f"{CUSTOMERS}/{customer.id}", headers=agent)
    assert response.json["sites_count"] == 2


def test_customer_list_filters_pages_and_counts(client, session, agent):
    for n in range(3):
        customer = make_customer(session, name=f"Alpha {n}", tier="vip")
        make_site(session, customer=customer)
    make_customer(session, name="Alpha standard", tier="standard")
    make_customer(session, name="Beta", tier="vip")

    response = client.get(f"{CUSTOMERS}?q=alpha&tier=vip&page=2&page_size=2", headers=agent)
    assert response.status_code == 200
    assert [c["name"] for c in response.json] == ["Alpha 2"]
    assert response.json[0]["sites_count"] == 1
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] == 3
    assert paging["page"] == 2
    assert paging["total_pages"] == 2


def test_customer_q_matches_phone_and_email_and_takes_wildcards_literally(client, session, agent):
    make_customer(session, name="A", phone="13812345678")
    make_customer(session, name="B", email="ops@b.example.test")
    make_customer(session, name="100% Clean")
    make_customer(session, name="1000 Cleaners")

    def names(q):
        return [c["name"] for c in client.get(CUSTOMERS, query_string={"q": q}, headers=agent).json]

    assert names("12345") == ["A"]
    assert names("OPS@B") == ["B"]
    assert names("100%") == ["100% Clean"]


def test_customer_list_filters_by_active(client, session, agent):
    make_customer(session, name="Open")
    make_customer(session, name="Closed", active=False)
    response = client.get(f"{CUSTOMERS}?active=false", headers=agent)
    assert [c["name"] for c in response.json] == ["Closed"]


def test_patch_customer_replaces_contacts_and_keeps_the_ones_named_by_id(client, agent):
    created = client.post(
        CUSTOMERS,
        json={
            "name": "Acme",
            "contacts": [{"name": "Ann"}, {"name": "Bob", "phone": "13900000002"}],
        },
        headers=agent,
    ).json
    ann = next(c for c in created["contacts"] if c["name"] == "Ann")
    response = client.patch(
        f"{CUSTOMERS}/{created['id']}",
        json={
            "tier": "vip",
            "contacts": [
                {"id": ann["id"], "name": "Ann Lee", "is_primary": True},
                {"name": "Cat"},
            ],
        },
        headers=agent,
    )
    assert response.status_code == 200
    contacts = response.json["contacts"]
    assert response.json["tier"] == "vip"
    assert [c["name"] for c in contacts] == ["Ann Lee", "Cat"]
    assert contacts[0]["id"] == ann["id"]
    assert contacts[0]["is_primary"] is True


def test_patch_with_a_contact_of_another_customer_is_422_on_the_item(client, agent):
    other = client.post(CUSTOMERS, json={"name": "O", "contacts": [{"name": "X"}]}, headers=agent)
    mine = client.post(CUSTOMERS, json={"name": "M"}, headers=agent).json
    foreign_id = other.json["contacts"][0]["id"]
    response = client.patch(
        f"{CUSTOMERS}/{mine['id']}",
        json={"contacts": [{"name": "ok"}, {"id": foreign_id, "name": "X"}]},
        headers=agent,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["contacts"] == {"1": {"id": ["该联系人不属于此客户。"]}}


def test_two_primary_contacts_are_refused(client, agent_en):
    response = client.post(
        CUSTOMERS,
        json={"name": "Two", "contacts": [{"name": "A", "is_primary": True}] * 2},
        headers=agent_en,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["contacts"] == [
        "Only one contact can be the primary contact."
    ]


def test_customer_validation_is_per_field_and_refuses_unknown_fields(client, agent_en):
    response = client.post(
        CUSTOMERS,
        json={"name": "", "tier": "gold", "email": "nope", "colour": "red"},
        headers=agent_en,
    )
    assert response.status_code == 422
    assert response.json["error"] == "validation_failed"
    fields = response.json["errors"]["json"]
    assert set(fields) == {"name", "tier", "email", "colour"}
    assert fields["colour"] == ["Unknown field."]


def test_delete_customer_deactivates_it_and_keeps_its_sites(client, session, agent):
    customer = make_customer(session)
    site = make_site(session, customer=customer)
    assert client.delete(f"{CUSTOMERS}/{customer.id}", headers=agent).status_code == 204
    fetched = client.get(f"{CUSTOMERS}/{customer.id}", headers=agent)
    assert fetched.status_code == 200
    assert fetched.json["active"] is False
    assert client.get(f"{SITES}/{site.id}", headers=agent).status_code == 200
    # PATCH brings it back.
    again = client.patch(f"{CUSTOMERS}/{customer.id}", json={"active": True}, headers=agent)
    assert again.json["active"] is True


def test_unknown_customer_is_404(client, agent):
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {}} if method == "patch" else {}
        response = getattr(client, method)(f"{CUSTOMERS}/{uuid.uuid4()}", headers=agent, **kwargs)
        assert response.status_code == 404, method
        assert response.json["error"] == "not_found"


# --- sites --------------------------------------------------------------------------------


def test_create_site_and_read_it_back(client, session, agent):
    customer = make_customer(session)
    response = client.post(
        SITES,
        json=site_body(
            customer.id,
            name="和平饭店北楼",
            district="黄浦区",
            access_notes="从滇池路货梯进入",
            location={"lat": 31.240123456789, "lon": 121.490987654321},
        ),
        headers=agent,
    )
    assert response.status_code == 201
    body = response.json
    assert body["customer_id"] == str(customer.id)
    assert body["location"] == {"lat": 31.240123456789, "lon": 121.490987654321}
    assert body["active"] is True
    fetched = client.get(f"{SITES}/{body['id']}", headers=agent).json
    assert fetched["location"] == {"lat": 31.240123456789, "lon": 121.490987654321}
    assert fetched["access_notes"] == "从滇池路货梯进入"


def test_site_for_an_unknown_customer_is_422_on_the_field(client, agent_en):
    response = client.post(SITES, json=site_body(uuid.uuid4()), headers=agent_en)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"customer_id": ["There is no such customer."]}


def test_site_for_a_deactivated_customer_is_refused(client, session, agent):
    customer = make_customer(session, active=False)
    response = client.post(SITES, json=site_body(customer.id), headers=agent)
    assert response.status_code == 422
    assert response.json["errors"]["json"]["customer_id"] == ["该客户已停用。"]


@pytest.mark.parametrize(
    ("location", "zh", "en"),
    [
        (
            {"lat": 90.5, "lon": 121.0},
            {"lat": ["纬度必须在 -90 到 90 之间。"]},
            {"lat": ["Latitude must be between -90 and 90."]},
        ),
        (
            {"lat": 31.0, "lon": -180.01},
            {"lon": ["经度必须在 -180 到 180 之间。"]},
            {"lon": ["Longitude must be between -180 and 180."]},
        ),
        (
            {"lat": -91, "lon": 181},
            {"lat": ["纬度必须在 -90 到 90 之间。"], "lon": ["经度必须在 -180 到 180 之间。"]},
            {
                "lat": ["Latitude must be between -90 and 90."],
                "lon": ["Longitude must be between -180 and 180."],
            },
        ),
        (
            {"lat": 31.0},
            {"lon": ["此字段为必填项。"]},
            {"lon": ["Missing data for required field."]},
        ),
    ],
)
def test_site_location_out_of_range_is_422_per_field_in_both_languages(
    client, session, app, location, zh, en
):
    customer = make_customer(session)
    user = make_user(session, role="dispatcher")
    body = site_body(customer.id, location=location)
    in_zh = client.post(SITES, json=body, headers=bearer(app, user))
    in_en = client.post(SITES, json=body, headers=bearer(app, user, **{"Accept-Language": "en"}))
    assert in_zh.status_code == in_en.status_code == 422
    assert in_zh.json["errors"]["json"]["location"] == zh
    assert in_en.json["errors"]["json"]["location"] == en


def test_site_extremes_of_the_range_are_accepted(client, session, agent):
    customer = make_customer(session)
    response = client.post(
        SITES, json=site_body(customer.id, location={"lat": -90, "lon": 180}), headers=agent
    )
    assert response.status_code == 201
    assert response.json["location"] == {"lat": -90.0, "lon": 180.0}


def test_site_unknown_fields_are_refused_also_inside_location(client, session, agent):
    customer = make_customer(session)
    body = site_body(customer.id, floor=3, location={"lat": 31, "lon": 121, "alt": 5})
    response = client.post(SITES, json=body, headers=agent)
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert errors["floor"] == ["未知字段。"]
    assert errors["location"] == {"alt": ["未知字段。"]}


def test_sites_bbox_filter_is_a_lat_lon_rectangle_with_edges(client, session, agent):
    customer = make_customer(session)
    inside = make_site(session, customer=customer, location={"lat": 31.23, "lon": 121.47})
    on_edge = make_site(session, customer=customer, location={"lat": 31.30, "lon": 121.40})
    make_site(session, customer=customer, location={"lat": 31.31, "lon": 121.47})  # north
    make_site(session, customer=customer, location={"lat": 31.23, "lon": 121.60})  # east
    make_site(session, location={"lat": 31.24, "lon": 121.48})  # another customer's

    response = client.get(
        SITES,
        query_string={"bbox": "121.40,31.20,121.50,31.30", "customer_id": str(customer.id)},
        headers=agent,
    )
    assert response.status_code == 200
    assert {s["id"] for s in response.json} == {str(inside.id), str(on_edge.id)}
    assert json.loads(response.headers["X-Pagination"])["total"] == 2


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ("121.4,31.2,121.5", "bbox must be four numbers: minlon,minlat,maxlon,maxlat."),
        ("a,b,c,d", "bbox must be four numbers: minlon,minlat,maxlon,maxlat."),
        ("121.4,31.2,121.5,nan", "bbox must be four numbers: minlon,minlat,maxlon,maxlat."),
        ("121.4,31.2,181,31.3", "Longitude must be between -180 and 180."),
        ("121.4,-95,121.5,31.3", "Latitude must be between -90 and 90."),
        ("121.5,31.2,121.4,31.3", "In bbox, a minimum cannot be greater than its maximum."),
    ],
)
def test_invalid_bbox_is_422_on_the_query_field(client, agent_en, bbox, message):
    response = client.get(SITES, query_string={"bbox": bbox}, headers=agent_en)
    assert response.status_code == 422
    assert response.json["errors"]["query"]["bbox"] == [message]


def test_sites_q_and_active_filters_and_paging(client, session, agent):
    customer = make_customer(session)
    make_site(session, customer=customer, address="1 淮海中路")
    make_site(session, customer=customer, address="2 淮海中路")
    make_site(session, customer=customer, address="3 淮海中路", active=False)
    make_site(session, customer=customer, address="9 衡山路", district="徐汇区")
    response = client.get(SITES, query_string={"q": "淮海", "page_size": 1}, headers=agent)
    assert [s["address"] for s in response.json] == ["1 淮海中路"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    response = client.get(SITES, query_string={"q": "淮海", "active": "true"}, headers=agent)
    assert [s["address"] for s in response.json] == ["1 淮海中路", "2 淮海中路"]
    response = client.get(SITES, query_string={"q": "徐汇"}, headers=agent)
    assert [s["address"] for s in response.json] == ["9 衡山路"]


def test_patch_site_moves_it_and_can_change_customer(client, session, agent):
    site = make_site(session)
    other = make_customer(session)
    response = client.patch(
        f"{SITES}/{site.id}",
        json={"location": {"lat": 31.1, "lon": 121.3}, "customer_id": str(other.id), "name": "B"},
        headers=agent,
    )
    assert response.status_code == 200
    assert response.json["location"] == {"lat": 31.1, "lon": 121.3}
    assert response.json["customer_id"] == str(other.id)
    missing = client.patch(
        f"{SITES}/{site.id}", json={"customer_id": str(uuid.uuid4())}, headers=agent
    )
    assert missing.status_code == 422
    assert list(missing.json["errors"]["json"]) == ["customer_id"]


def test_patch_site_refuses_a_null_location(client, session, agent):
    site = make_site(session)
    response = client.patch(f"{SITES}/{site.id}", json={"location": None}, headers=agent)
    assert response.status_code == 422


def test_delete_site_deactivates_it(client, session, agent):
    site = make_site(session)
    assert client.delete(f"{SITES}/{site.id}", headers=agent).status_code == 204
    assert client.get(f"{SITES}/{site.id}", headers=agent).json["active"] is False
    assert client.get(f"{SITES}/{uuid.uuid4()}", headers=agent).status_code == 404


# --- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_may_read(client, session, app, role):
    site = make_site(session)
    headers = bearer(app, make_user(session, role=role))
    for path in (CUSTOMERS, f"{CUSTOMERS}/{site.customer_id}", SITES, f"{SITES}/{site.id}"):
        assert client.get(path, headers=headers).status_code == 200, path


@pytest.mark.parametrize("role", ["technician", "warehouse"])
def test_other_roles_may_not_read(client, session, app, role):
    site = make_site(session)
    headers = bearer(app, make_user(session, role=role))
    for path in (CUSTOMERS, f"{CUSTOMERS}/{site.customer_id}", SITES, f"{SITES}/{site.id}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.json["error"] == "forbidden"


@pytest.mark.parametrize("role", ["technician", "warehouse", "manager"])
def test_other_roles_may_not_write(client, session, app, role):
    site = make_site(session)
    customer_id = site.customer_id
    headers = bearer(app, make_user(session, role=role))
    attempts = [
        ("post", CUSTOMERS, {"name": "X"}),
        ("patch", f"{CUSTOMERS}/{customer_id}", {"name": "X"}),
        ("delete", f"{CUSTOMERS}/{customer_id}", None),
        ("post", SITES, site_body(customer_id)),
        ("patch", f"{SITES}/{site.id}", {"name": "X"}),
        ("delete", f"{SITES}/{site.id}", None),
    ]
    for method, path, body in attempts:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
    session.expire_all()
    assert site.active is True
    assert site.name is None


@pytest.mark.parametrize("role", WRITERS)
def test_writers_may_write(client, session, app, role):
    headers = bearer(app, make_user(session, role=role))
    customer = client.post(CUSTOMERS, json={"name": "W"}, headers=headers)
    assert customer.status_code == 201
    site = client.post(SITES, json=site_body(customer.json["id"]), headers=headers)
    assert site.status_code == 201
    assert client.delete(f"{SITES}/{site.json['id']}", headers=headers).status_code == 204


def test_reading_needs_a_token(client):
    assert client.get(CUSTOMERS).status_code == 401
    assert client.get(SITES).status_code == 401
