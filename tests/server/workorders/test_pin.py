"""Pinning a job to its engineer: who may, when, If-Match, repeats, the timeline, and which
life-cycle steps release the pin."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.errors import Conflict, Forbidden, VersionConflict
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrderEvent
from tests.factories import actor_for, bearer, make_technician, make_user, make_work_order

BASE = "/api/v1/work-orders"
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def dispatcher(session):
    return make_user(session, role="dispatcher")


@pytest.fixture
def tech(session):
    return make_technician(session)


def _events(session, order, action):
    return session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == order.id, WorkOrderEvent.action == action
        )
    ).all()


def _pin(session, order, user, *, pinned=True, **options):
    return workorders_service.set_pinned(
        session,
        work_order_id=order.id,
        actor=actor_for(user),
        pinned=pinned,
        now=NOW,
        **options,
    )


# --- the service ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "dispatcher", "manager"])
def test_office_roles_pin_and_unpin_with_a_version_and_an_event_each(session, tech, role):
    user = make_user(session, role=role)
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    version = order.version
    pinned = _pin(session, order, user)
    assert pinned.pinned is True
    assert pinned.version == version + 1
    assert pinned.updated_at == NOW
    (event,) = _events(session, order, "pin")
    assert event.payload["technician_id"] == str(tech.id)
    assert event.version == version + 1
    assert event.public is False
    unpinned = _pin(session, order, user, pinned=False)
    assert unpinned.pinned is False
    assert unpinned.version == version + 2
    assert len(_events(session, order, "unpin")) == 1


@pytest.mark.parametrize("role", ["technician", "warehouse", "agent"])
def test_other_roles_may_not_pin(session, tech, role):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    with pytest.raises(Forbidden):
        _pin(session, order, make_user(session, role=role))
    session.refresh(order)
    assert order.pinned is False
    assert _events(session, order, "pin") == []


def test_a_job_without_an_engineer_cannot_be_pinned(session, dispatcher):
    order = make_work_order(session)
    with pytest.raises(Conflict) as refused:
        _pin(session, order, dispatcher)
    assert refused.value.error == "pin_needs_assignee"
    assert order.version == 1


@pytest.mark.parametrize("status", ["completed", "closed", "cancelled"])
def test_a_job_off_the_board_cannot_be_pinned(session, tech, dispatcher, status):
    order = make_work_order(session, status=status, assignee_id=tech.id)
    with pytest.raises(Conflict) as refused:
        _pin(session, order, dispatcher)
    assert refused.value.error == "not_editable"


def test_asking_again_for_the_same_state_changes_nothing(session, tech, dispatcher):
    order = make_work_order(session, status="accepted", assignee_id=tech.id)
    _pin(session, order, dispatcher)
    version = order.version
    again = _pin(session, order, dispatcher)
    assert (again.pinned, again.version) == (True, version)
    assert len(_events(session, order, "pin")) == 1
    # Unpinning an order that was never pinned is just as quiet.
    other = make_work_order(session, status="assigned", assignee_id=tech.id)
    assert _pin(session, other, dispatcher, pinned=False).version == other.version == 1
    assert _events(session, other, "unpin") == []


def test_a_stale_expected_version_is_refused(session, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    with pytest.raises(VersionConflict):
        _pin(session, order, dispatcher, expected_version=order.version + 3)
    assert order.pinned is False
    assert _pin(session, order, dispatcher, expected_version=order.version).pinned is True


# --- life-cycle steps and the pin ----------------------------------------------------------


def _act(session, order, user, action, technician=None, **fields):
    return workorders_service.apply_transition(
        session,
        work_order_id=order.id,
        actor=actor_for(user, technician),
        change=workorders_service.TransitionInput(action=action, **fields),
        now=NOW,
        timezone="Asia/Shanghai",
    )


def test_unassigning_releases_the_pin(session, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    _pin(session, order, dispatcher)
    _act(session, order, dispatcher, "unassign")
    assert (order.status, order.assignee_id, order.pinned) == ("new", None, False)
    (event,) = _events(session, order, "unassign")
    assert event.payload["unpinned"] is True


def test_declining_releases_the_pin(session, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    _pin(session, order, dispatcher)
    _act(session, order, tech.user, "decline", tech, reason="车坏了 van broke down")
    assert (order.assignee_id, order.pinned) == (None, False)


def test_cancelling_releases_the_pin(session, tech, dispatcher):
    order = make_work_order(session, status="accepted", assignee_id=tech.id)
    _pin(session, order, dispatcher)
    _act(session, order, dispatcher, "cancel", reason="客户取消 customer cancelled")
    assert (order.status, order.pinned) == ("cancelled", False)


def test_a_manual_reassignment_keeps_the_pin(session, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    other = make_technician(session)
    _pin(session, order, dispatcher)
    _act(session, order, dispatcher, "assign", technician_id=other.id)
    assert (order.assignee_id, order.pinned) == (other.id, True)
    (event,) = _events(session, order, "assign")
    assert "unpinned" not in event.payload


def test_accepting_keeps_the_pin(session, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    _pin(session, order, dispatcher)
    _act(session, order, tech.user, "accept", tech)
    assert (order.status, order.pinned) == ("accepted", True)


# --- over HTTP -----------------------------------------------------------------------------


def test_put_pins_and_delete_unpins_with_etags(client, session, app, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    url = f"{BASE}/{order.id}/pin"
    headers = bearer(app, dispatcher)
    pinned = client.put(url, headers=headers)
    assert pinned.status_code == 200, pinned.json
    assert pinned.json["pinned"] is True
    assert pinned.json["version"] == 2
    assert pinned.headers["ETag"] == '"2"'
    assert client.get(f"{BASE}/{order.id}", headers=headers).json["pinned"] is True
    again = client.put(url, headers=headers)
    assert (again.status_code, again.json["version"]) == (200, 2)
    unpinned = client.delete(url, headers={**headers, "If-Match": '"2"'})
    assert unpinned.status_code == 200, unpinned.json
    assert unpinned.json["pinned"] is False
    assert unpinned.headers["ETag"] == '"3"'
    actions = [e["action"] for e in client.get(f"{BASE}/{order.id}/events", headers=headers).json]
    assert actions[-2:] == ["pin", "unpin"]


@pytest.mark.parametrize("role", ["technician", "warehouse", "agent"])
def test_http_refuses_roles_that_do_not_plan(client, session, app, tech, role):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    user = tech.user if role == "technician" else make_user(session, role=role)
    for method in (client.put, client.delete):
        response = method(f"{BASE}/{order.id}/pin", headers=bearer(app, user))
        assert response.status_code == 403
        assert response.json["error"] == "forbidden"
    session.refresh(order)
    assert (order.pinned, order.version) == (False, 1)


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-CN", "只有已派给工程师的工单才能固定。"),
     ("en", "Only a job assigned to an engineer can be pinned.")],
)  # fmt: skip
def test_http_pin_without_an_engineer_is_409_in_the_callers_language(
    client, session, app, dispatcher, language, message
):
    order = make_work_order(session)
    response = client.put(
        f"{BASE}/{order.id}/pin", headers=bearer(app, dispatcher, **{"Accept-Language": language})
    )
    assert response.status_code == 409
    assert response.json["error"] == "pin_needs_assignee"
    assert response.json["message"] == message


def test_http_stale_if_match_is_412(client, session, app, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    url = f"{BASE}/{order.id}/pin"
    stale = client.put(url, headers={**bearer(app, dispatcher), "If-Match": '"9"'})
    assert stale.status_code == 412
    assert stale.json["error"] == "version_conflict"
    assert stale.json["current_version"] == 1
    garbled = client.put(url, headers={**bearer(app, dispatcher), "If-Match": "soon"})
    assert garbled.status_code == 412
    session.refresh(order)
    assert order.pinned is False


def test_http_unknown_order_is_404(client, session, app, dispatcher):
    response = client.put(
        f"{BASE}/00000000-0000-4000-8000-000000000000/pin", headers=bearer(app, dispatcher)
    )
    assert response.status_code == 404


def test_patch_does_not_accept_pinned(client, session, app, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    response = client.patch(
        f"{BASE}/{order.id}",
        json={"pinned": True},
        headers={**bearer(app, dispatcher), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert "pinned" in response.json["errors"]["json"]
    session.refresh(order)
    assert (order.pinned, order.version) == (False, 1)


def test_http_unassign_answers_with_the_pin_released(client, session, app, tech, dispatcher):
    order = make_work_order(session, status="assigned", assignee_id=tech.id)
    headers = bearer(app, dispatcher)
    assert client.put(f"{BASE}/{order.id}/pin", headers=headers).status_code == 200
    response = client.post(
        f"{BASE}/{order.id}/transitions", json={"action": "unassign"}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert (response.json["assignee"], response.json["pinned"]) == (None, False)
