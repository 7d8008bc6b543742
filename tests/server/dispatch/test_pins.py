"""Pinned assignments in dispatch: the snapshot holds a pinned job to its engineer, a run keeps
it there (and says so in its diff), and a pin made after the snapshot stops the apply."""

from __future__ import annotations

import pytest

from server.dispatch import runs, snapshot
from server.workorders import service as workorders_service
from tests.factories import (
    actor_for,
    make_technician,
    make_user,
)
from tests.server.dispatch.day import EAST, MONDAY, NOW, TRAVEL, WEST, order_at


@pytest.fixture
def dispatcher(session):
    return make_user(session, role="dispatcher")


def _pin(session, order, user):
    return workorders_service.set_pinned(
        session, work_order_id=order.id, actor=actor_for(user), pinned=True, now=NOW
    )


def _snapshot(session, orders, technicians):
    return snapshot.build(
        session,
        travel=TRAVEL,
        now=NOW,
        timezone="Asia/Shanghai",
        date_from=MONDAY,
        date_to=MONDAY,
        technician_ids=[t.id for t in technicians],
        work_order_ids=[o.id for o in orders],
    )


def _solve(session, dispatcher, orders, technicians):
    run = runs.create_run(
        session,
        actor=actor_for(dispatcher),
        options={
            "time_limit_s": 1,
            "work_order_ids": [o.id for o in orders],
            "technician_ids": [t.id for t in technicians],
        },
        today=MONDAY,
    )
    snap = runs.take_snapshot(session, run_id=run.id, travel=TRAVEL, now=NOW,
                              timezone="Asia/Shanghai")  # fmt: skip
    plan = runs.solve_snapshot(snap, time_limit_s=1)
    return runs.store_plan(session, run_id=run.id, snap=snap, plan=plan, now=NOW)


@pytest.mark.parametrize("status", ["assigned", "accepted"])
def test_the_snapshot_holds_a_pinned_job_to_its_engineer(session, dispatcher, status):
    west = make_technician(session, home=WEST)
    pinned = order_at(session, EAST, status=status, assignee_id=west.id)
    _pin(session, pinned, dispatcher)
    loose = order_at(session, EAST, status="assigned", assignee_id=west.id)
    snap = _snapshot(session, [pinned, loose], [west])
    by_id = {job.id: job for job in snap.problem.jobs}
    assert by_id[str(pinned.id)].pinned_to == str(west.id)
    assert by_id[str(loose.id)].pinned_to is None
    assert snap.orders[str(pinned.id)]["pinned"] is True
    assert snap.orders[str(loose.id)]["pinned"] is False


def test_a_run_keeps_a_pinned_job_with_its_engineer_across_the_city(session, dispatcher):
    west_tech = make_technician(session, home=WEST)
    east_tech = make_technician(session, home=EAST)
    # An eastern job held by the western engineer (unpinned, the next test shows, it moves east).
    pinned = order_at(session, EAST, status="assigned", assignee_id=west_tech.id)
    _pin(session, pinned, dispatcher)
    run = _solve(session, dispatcher, [pinned], [west_tech, east_tech])
    assert run.status == "done"
    by_engineer = {
        r["technician_id"]: {s["work_order_id"] for s in r["stops"]} for r in run.plan["routes"]
    }
    assert by_engineer == {str(west_tech.id): {str(pinned.id)}}
    assert run.diff["assign"] == []
    assert run.diff["unchanged"] == 1
    assert run.diff["pinned"] == [
        {"work_order_id": str(pinned.id), "number": pinned.number,
         "technician_id": str(west_tech.id)}
    ]  # fmt: skip
    applied = runs.apply_run(
        session, run_id=run.id, actor=actor_for(dispatcher), now=NOW, timezone="Asia/Shanghai"
    )
    assert applied.applied["conflicts"] == []
    session.flush()
    session.refresh(pinned)
    assert (pinned.assignee_id, pinned.pinned) == (west_tech.id, True)
    assert pinned.scheduled_start_at is not None  # re-timed, not moved


def test_a_job_pinned_after_the_snapshot_is_a_conflict_on_apply(session, dispatcher):
    west_tech = make_technician(session, home=WEST)
    east_tech = make_technician(session, home=EAST)
    order = order_at(session, EAST, status="assigned", assignee_id=west_tech.id)
    run = _solve(session, dispatcher, [order], [west_tech, east_tech])
    assert run.diff["pinned"] == []
    assert [c["to_technician_id"] for c in run.diff["assign"]] == [str(east_tech.id)]
    # The dispatcher pins the job to its engineer while the plan waits for review.
    _pin(session, order, dispatcher)
    applied = runs.apply_run(
        session, run_id=run.id, actor=actor_for(dispatcher), now=NOW, timezone="Asia/Shanghai"
    )
    assert applied.applied["assigned"] == []
    assert applied.applied["conflicts"] == [
        {"work_order_id": str(order.id), "number": order.number,
         "reason": "changed_since_snapshot"}
    ]  # fmt: skip
    session.flush()
    session.refresh(order)
    assert (order.assignee_id, order.pinned, order.status) == (west_tech.id, True, "assigned")
