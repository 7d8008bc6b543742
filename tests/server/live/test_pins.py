"""The board hears of pins: the delta carries `pinned`, and the snapshot lists it."""

from __future__ import annotations

import json

from server.db import utcnow
from server.live import emit
from server.workorders import service as workorders_service
from tests.factories import actor_for, bearer, make_technician, make_user, make_work_order


def test_a_pin_is_news_and_its_delta_says_so(session):
    dispatcher = make_user(session, role="dispatcher")
    order = make_work_order(session, status="assigned", assignee_id=make_technician(session).id)
    workorders_service.set_pinned(
        session, work_order_id=order.id, actor=actor_for(dispatcher), pinned=True, now=utcnow()
    )
    (payload,) = emit.payloads_for(session)
    delta = json.loads(payload)
    assert (delta["t"], delta["id"], delta["pinned"]) == ("work_order", str(order.id), True)
    assert delta["version"] == order.version
    session.flush()
    order.pinned = False  # the column alone, even without a version, is something boards show
    assert json.loads(emit.payloads_for(session)[0])["pinned"] is False


def test_an_unpinned_order_says_so_too(session):
    order = make_work_order(session)
    order.priority = "urgent"
    assert json.loads(emit.payloads_for(session)[0])["pinned"] is False


def test_the_snapshot_lists_which_jobs_are_pinned(client, app, session):
    dispatcher = make_user(session, role="dispatcher")
    tech = make_technician(session)
    pinned = make_work_order(session, status="assigned", assignee_id=tech.id, pinned=True)
    loose = make_work_order(session, status="assigned", assignee_id=tech.id)
    response = client.get("/api/v1/events/snapshot", headers=bearer(app, dispatcher))
    assert response.status_code == 200, response.json
    by_id = {job["id"]: job for job in response.json["jobs"]}
    assert by_id[str(pinned.id)]["pinned"] is True
    assert by_id[str(loose.id)]["pinned"] is False
