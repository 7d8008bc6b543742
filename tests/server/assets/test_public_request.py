"""A request from the public form names its machine: by the sticker's QR code, or by serial."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from server.workorders.models import WorkOrder
from tests.factories import make_customer, make_site
from tests.server.assets.conftest import make_asset

URL = "/api/v1/intake/web"
FORM = {
    "name": "Li Wei",
    "phone": "137 0000 1111",
    "address": "88 Century Avenue, Shanghai",
    "location": {"lat": 31.2397, "lon": 121.4998},
    "summary": "Air conditioner blows warm air",
    "website": "",
}


def submit(client, session, **fields) -> WorkOrder:
    response = client.post(URL, json={**FORM, **fields})
    assert response.status_code == 201, response.json
    return session.scalar(select(WorkOrder).where(WorkOrder.number == response.json["number"]))


def test_the_stickers_code_files_the_request_for_that_machine_its_site_and_its_owner(
    client, session
):
    owner = make_customer(session, name="Pudong Tower", phone="02150000000")
    site = make_site(session, customer=owner)
    machine = make_asset(session, site=site, warranty_until=date(2099, 1, 1))

    order = submit(client, session, asset_serial=machine.qr_code)

    assert (order.asset_id, order.site_id, order.customer_id) == (machine.id, site.id, owner.id)
    # Under warranty: the work is not billed.
    assert order.billable is False


def test_a_serial_links_the_machine_only_for_its_own_customer(client, session):
    owner = make_customer(session, name="Li Wei", phone="13700001111")
    machine = make_asset(session, site=make_site(session, customer=owner))

    order = submit(client, session, asset_serial=machine.serial.lower())

    assert (order.asset_id, order.site_id, order.customer_id) == (
        machine.id,
        machine.site_id,
        owner.id,
    )
    assert order.billable is True  # no warranty recorded


def test_someone_elses_serial_is_not_linked(client, session):
    machine = make_asset(session, site=make_site(session, customer=make_customer(session)))

    order = submit(client, session, asset_serial=machine.serial)

    assert order.asset_id is None
    assert order.customer_id != machine.customer_id


def test_an_unknown_code_is_not_an_error(client, session):
    order = submit(client, session, asset_serial="NO-SUCH-MACHINE")

    assert order.asset_id is None
