"""Customer and site use cases against the database, and the location helpers they rely on."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from server.customers import service as customers_service
from server.customers.models import Site
from server.errors import ValidationFailed
from server.geo import BBox, BBoxField, LocationSchema, from_geography, to_geography
from tests.factories import make_customer, make_site


def test_to_geography_is_longitude_first_for_postgis(session):
    site = make_site(session, location={"lat": 31.2304, "lon": 121.4737})
    lon, lat = session.execute(
        select(
            func.ST_X(func.geometry(Site.location)), func.ST_Y(func.geometry(Site.location))
        ).where(Site.id == site.id)
    ).one()
    assert (lat, lon) == (31.2304, 121.4737)


def test_from_geography_reads_what_the_database_returns(session):
    site = make_site(session, location={"lat": -33.8688, "lon": 151.2093})
    session.expire(site)
    assert from_geography(site.location) == {"lat": -33.8688, "lon": 151.2093}
    assert from_geography(to_geography(1.5, -2.25)) == {"lat": 1.5, "lon": -2.25}
    assert from_geography(None) is None


def test_location_schema_checks_each_coordinate():
    assert LocationSchema().load({"lat": "31.5", "lon": 121}) == {"lat": 31.5, "lon": 121.0}
    with pytest.raises(ValidationError) as caught:
        LocationSchema().load({"lat": 91, "lon": True})
    assert caught.value.messages == {
        "lat": ["latitude_out_of_range"],
        "lon": ["Not a valid number."],
    }


def test_bbox_field_parses_the_four_numbers():
    field = BBoxField()
    assert field.deserialize(" 121.4, 31.2 ,121.5,31.3") == BBox(121.4, 31.2, 121.5, 31.3)
    # A single point is a (degenerate) box.
    assert field.deserialize("121,31,121,31") == BBox(121, 31, 121, 31)


def test_list_customers_fills_the_sites_count_and_pages(session):
    first = make_customer(session, name="A")
    make_site(session, customer=first)
    make_customer(session, name="B")
    make_customer(session, name="C")
    rows, total = customers_service.list_customers(session, page=1, page_size=2)
    assert total == 3
    assert [(c.name, c.sites_count) for c in rows] == [("A", 1), ("B", 0)]


def test_get_customer_refreshes_the_count_of_an_instance_already_loaded(session):
    customer = make_customer(session)
    assert customers_service.get_customer(session, customer_id=customer.id).sites_count == 0
    make_site(session, customer=customer)
    assert customers_service.get_customer(session, customer_id=customer.id).sites_count == 1


def test_create_customer_normalises_phone_and_email(session):
    customer = customers_service.create_customer(
        session,
        name=" Acme ",
        phone="021-6321 6888",
        email=" ops@acme.example.test ",
        contacts=[{"name": "Ann", "phone": "139-0000-0000", "is_primary": True}],
    )
    assert (customer.name, customer.phone, customer.email) == (
        "Acme",
        "02163216888",
        "ops@acme.example.test",
    )
    assert customer.contacts[0].phone == "13900000000"
    assert customer.sites_count == 0


def test_update_customer_removes_contacts_left_out(session):
    customer = customers_service.create_customer(
        session, name="Acme", contacts=[{"name": "Ann"}, {"name": "Bob"}]
    )
    bob = next(c for c in customer.contacts if c.name == "Bob")
    updated = customers_service.update_customer(
        session, customer_id=customer.id, changes={"contacts": [{"id": bob.id, "name": "Bob"}]}
    )
    assert [c.id for c in updated.contacts] == [bob.id]


def test_same_contact_twice_is_refused(session):
    customer = customers_service.create_customer(session, name="Acme", contacts=[{"name": "A"}])
    contact_id = customer.contacts[0].id
    with pytest.raises(ValidationFailed) as caught:
        customers_service.update_customer(
            session,
            customer_id=customer.id,
            changes={
                "contacts": [{"id": contact_id, "name": "A"}, {"id": contact_id, "name": "A"}]
            },
        )
    assert caught.value.errors == {"json": {"contacts": {1: {"id": ["duplicate"]}}}}


def test_list_sites_in_a_bbox_across_the_equator_and_prime_meridian(session):
    inside = make_site(session, location={"lat": -0.5, "lon": 0.5})
    make_site(session, location={"lat": 1.5, "lon": 0.5})
    rows, total = customers_service.list_sites(
        session, bbox=BBox(-1, -1, 1, 1), page=1, page_size=10
    )
    assert (total, [s.id for s in rows]) == (1, [inside.id])
