"""Territories: GeoJSON in, repaired polygons in PostGIS, engineers assigned, bulk import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.dispatch import territories
from server.dispatch.models import Territory
from tests.factories import bearer, make_technician, make_user

URL = "/api/v1/territories"
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[121.40, 31.15], [121.50, 31.15], [121.50, 31.25], [121.40, 31.25],
                     [121.40, 31.15]]],
}  # fmt: skip
# A bow tie: its ring crosses itself, as hand-drawn areas often do.
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[121.40, 31.15], [121.50, 31.25], [121.50, 31.15], [121.40, 31.25],
                     [121.40, 31.15]]],
}  # fmt: skip


@pytest.fixture
def dispatcher(session):
    return make_user(session, role="dispatcher")


def _create(client, app, user, **body):
    payload = {"code": "XH", "name": {"zh-CN": "徐汇片区", "en": "Xuhui area"}, "area": SQUARE}
    return client.post(URL, json={**payload, **body}, headers=bearer(app, user))


def test_a_dispatcher_draws_a_territory_and_assigns_engineers(client, app, session, dispatcher):
    created = _create(client, app, dispatcher)
    assert created.status_code == 201, created.json
    assert created.json["area"]["type"] == "MultiPolygon"
    assert created.json["strict"] is False
    techs = [make_technician(session), make_technician(session)]
    members = client.put(
        f"{URL}/{created.json['id']}/technicians",
        json={"technician_ids": [str(t.id) for t in techs]},
        headers=bearer(app, dispatcher),
    )
    assert members.status_code == 200, members.json
    assert sorted(members.json["technician_ids"]) == sorted(str(t.id) for t in techs)
    assert territories.technician_territories(session)[techs[0].id] == ["XH"]
    # Replacing the list removes who is no longer in it.
    client.put(
        f"{URL}/{created.json['id']}/technicians",
        json={"technician_ids": [str(techs[1].id)]},
        headers=bearer(app, dispatcher),
    )
    assert techs[0].id not in territories.technician_territories(session)


def test_a_self_crossing_polygon_is_repaired(client, app, session, dispatcher):
    created = _create(client, app, dispatcher, area=BOW_TIE)
    assert created.status_code == 201, created.json
    area = created.json["area"]
    assert area["type"] == "MultiPolygon"
    assert len(area["coordinates"]) == 2  # the two triangles of the bow tie
    valid = session.scalar(select(func.ST_IsValid(func.geometry(Territory.area))))
    assert valid is True


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ({"type": "Point", "coordinates": [121.4, 31.2]}, "A GeoJSON Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": "nonsense"}, "not a usable polygon"),
        ({"type": "Polygon", "coordinates": [[[500, 31], [501, 31], [501, 32], [500, 31]]]},
         "not a usable polygon"),
        ({"type": "Polygon", "coordinates": [[[121.4, 31.2], [121.5, 31.2], [121.6, 31.2],
                                              [121.4, 31.2]]]}, "not a usable polygon"),
    ],
)  # fmt: skip
def test_unusable_areas_are_refused_with_a_field_message(
    client, app, session, dispatcher, area, message
):
    response = client.post(
        URL,
        json={"code": "BAD", "name": {"zh-CN": "坏", "en": "bad"}, "area": area},
        headers=bearer(app, dispatcher, **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422
    assert message in response.json["errors"]["json"]["area"][0]
    assert session.scalar(select(func.count()).select_from(Territory)) == 0


def test_duplicate_codes_and_unknown_engineers_are_refused(client, app, session, dispatcher):
    first = _create(client, app, dispatcher)
    assert _create(client, app, dispatcher).status_code == 409
    response = client.put(
        f"{URL}/{first.json['id']}/technicians",
        json={"technician_ids": ["00000000-0000-0000-0000-000000000001"]},
        headers=bearer(app, dispatcher),
    )
    assert response.status_code == 422


def test_import_upserts_by_code_and_checks_every_feature_first(client, app, session, dispatcher):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "PD", "name_zh": "浦东", "name_en": "Pudong",
                                               "strict": True}, "geometry": SQUARE},
            {"type": "Feature", "properties": {"code": "XH", "name": "Xuhui"}, "geometry": BOW_TIE},
        ],
    }  # fmt: skip
    response = client.post(f"{URL}/import", json=collection, headers=bearer(app, dispatcher))
    assert response.status_code == 200, response.json
    assert response.json == {"created": 2, "updated": 0}
    again = client.post(f"{URL}/import", json=collection, headers=bearer(app, dispatcher))
    assert again.json == {"created": 0, "updated": 2}
    pudong = session.scalar(select(Territory).where(Territory.code == "PD"))
    assert (pudong.name_en, pudong.strict) == ("Pudong", True)

    broken = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "NEW"}, "geometry": SQUARE},
        {"type": "Feature", "properties": {}, "geometry": SQUARE},
    ]}  # fmt: skip
    refused = client.post(f"{URL}/import", json=broken, headers=bearer(app, dispatcher))
    assert refused.status_code == 422
    assert "1" in refused.json["errors"]["json"]["features"]
    assert session.scalar(select(Territory).where(Territory.code == "NEW")) is None


def test_who_may_see_and_change_territories(client, app, session):
    for role in ("technician", "warehouse"):
        user = make_user(session, role=role)
        assert client.get(URL, headers=bearer(app, user)).status_code == 403
    agent = make_user(session, role="agent")
    assert client.get(URL, headers=bearer(app, agent)).status_code == 200
    assert _create(client, app, agent).status_code == 403
