"""Dispatch runs and instant suggestions against the database: snapshot, solve, diff, apply
(once), stale data, and who may do what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from server.dispatch import runs
from server.workorders.models import WorkOrderEvent
from tests.factories import (
    actor_for,
    bearer,
    make_skill,
    make_technician,
    make_user,
)
from tests.server.dispatch.day import EAST, MONDAY, NOW, TRAVEL, WEST, order_at


@pytest.fixture
def dispatcher(session):
    return make_user(session, role="dispatcher")


def _solve(session, dispatcher, **options):
    run = runs.create_run(
        session, actor=actor_for(dispatcher), options={"time_limit_s": 1, **options}, today=MONDAY
    )
    snap = runs.take_snapshot(session, run_id=run.id, travel=TRAVEL, now=NOW,
                              timezone="Asia/Shanghai")  # fmt: skip
    plan = runs.solve_snapshot(snap, time_limit_s=1)
    return runs.store_plan(session, run_id=run.id, snap=snap, plan=plan, now=NOW)


def test_a_run_sends_each_engineer_to_their_side_of_the_city(session, dispatcher):
    west_tech = make_technician(session, home=WEST)
    east_tech = make_technician(session, home=EAST)
    west = [order_at(session, WEST) for _ in range(2)]
    east = [order_at(session, EAST) for _ in range(2)]
    run = _solve(session, dispatcher, work_order_ids=[o.id for o in west + east],
                 technician_ids=[west_tech.id, east_tech.id])  # fmt: skip
    assert run.status == "done"
    by_engineer = {
        r["technician_id"]: {s["work_order_id"] for s in r["stops"]} for r in run.plan["routes"]
    }
    assert by_engineer[str(west_tech.id)] == {str(o.id) for o in west}
    assert by_engineer[str(east_tech.id)] == {str(o.id) for o in east}
    assert run.stats["served"] == 4
    assert run.stats["dropped"] == 0
    assert len(run.diff["assign"]) == 4
    # Service starts inside the shift (09:00 Shanghai = 01:00 UTC).
    first = min(s["start_at"] for r in run.plan["routes"] for s in r["stops"])
    assert datetime.fromisoformat(first) >= datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_skills_decide_who_goes_and_unserved_jobs_say_why(session, dispatcher):
    make_skill(session, code="elevator")
    novice = make_technician(session, home=WEST)
    expert = make_technician(session, home=EAST, skills={"elevator": 4})
    lift = order_at(session, WEST, required_skills=[{"code": "elevator", "level": 3}])
    impossible = order_at(session, WEST, required_skills=[{"code": "elevator", "level": 5}])
    run = _solve(session, dispatcher, work_order_ids=[lift.id, impossible.id],
                 technician_ids=[novice.id, expert.id])  # fmt: skip
    [route] = run.plan["routes"]
    assert route["technician_id"] == str(expert.id)
    assert [u["reason"] for u in run.plan["unassigned"]] == ["no_skilled_engineer"]
    assert run.plan["unassigned"][0]["work_order_id"] == str(impossible.id)


def test_orders_waiting_for_parts_are_not_planned(session, dispatcher):
    tech = make_technician(session, home=WEST)
    waiting = order_at(session, WEST, waiting_for_parts=True)
    run = _solve(session, dispatcher, work_order_ids=[waiting.id], technician_ids=[tech.id])
    assert run.snapshot["skipped"] == [
        {"work_order_id": str(waiting.id), "reason": "waiting_for_parts"}
    ]
    assert run.plan["routes"] == []


def test_apply_assigns_once_and_skips_what_changed(session, dispatcher):
    tech = make_technician(session, home=WEST)
    keep, changed = order_at(session, WEST), order_at(session, WEST)
    run = _solve(session, dispatcher, work_order_ids=[keep.id, changed.id],
                 technician_ids=[tech.id])  # fmt: skip
    changed.summary = "someone edited this meanwhile"
    changed.version += 1
    session.flush()
    applied = runs.apply_run(
        session, run_id=run.id, actor=actor_for(dispatcher), now=NOW, timezone="Asia/Shanghai"
    )
    assert applied.status == "applied"
    assert [a["work_order_id"] for a in applied.applied["assigned"]] == [str(keep.id)]
    assert applied.applied["conflicts"] == [
        {"work_order_id": str(changed.id), "number": changed.number,
         "reason": "changed_since_snapshot"}
    ]  # fmt: skip
    session.flush()
    session.refresh(keep)
    assert (keep.status, keep.assignee_id) == ("assigned", tech.id)
    assert keep.scheduled_start_at is not None
    assert keep.eta_at <= keep.scheduled_start_at
    assigns = session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == keep.id, WorkOrderEvent.action == "assign"
        )
    ).all()
    assert len(assigns) == 1
    again = runs.apply_run(
        session, run_id=run.id, actor=actor_for(dispatcher), now=NOW, timezone="Asia/Shanghai"
    )
    assert again.applied == applied.applied
    assert len(session.scalars(
        select(WorkOrderEvent).where(
            WorkOrderEvent.work_order_id == keep.id, WorkOrderEvent.action == "assign"
        )
    ).all()) == 1  # fmt: skip


def test_the_api_queues_a_run_and_refuses_to_apply_before_the_plan(
    client, app, session, dispatcher
):
    response = client.post(
        "/api/v1/dispatch/runs", json={"time_limit_s": 1}, headers=bearer(app, dispatcher)
    )
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued"
    jobs = session.execute(text("SELECT task_name, queue_name FROM procrastinate_jobs")).all()
    assert any(j.task_name == "dispatch.solve_run" and j.queue_name == "optimizer" for j in jobs)
    early = client.post(
        f"/api/v1/dispatch/runs/{response.json['id']}/apply", headers=bearer(app, dispatcher)
    )
    assert early.status_code == 409
    assert early.json["error"] == "run_not_ready"
    too_long = client.post(
        "/api/v1/dispatch/runs",
        json={"date_from": "2026-12-01", "date_to": "2026-12-09"},
        headers=bearer(app, dispatcher),
    )
    assert too_long.status_code == 422


def test_the_worker_runs_the_whole_thing(app, session, dispatcher):
    from server.dispatch.tasks import execute

    tech = make_technician(session, home=WEST)
    order = order_at(session, WEST)
    # A future Monday, so the real clock does not cut the shift short.
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    run = runs.create_run(
        session, actor=actor_for(dispatcher),
        options={"date_from": monday, "time_limit_s": 1, "apply": True,
                 "technician_ids": [tech.id], "work_order_ids": [order.id]},
        today=today,
    )  # fmt: skip
    result = execute(app, run.id)
    assert result["status"] == "applied"
    session.refresh(order)
    assert order.assignee_id == tech.id


@pytest.mark.parametrize("role", ["technician", "agent", "warehouse"])
def test_only_dispatchers_run_and_apply(client, app, session, role):
    user = make_user(session, role=role)
    assert (
        client.post("/api/v1/dispatch/runs", json={}, headers=bearer(app, user)).status_code == 403
    )


def test_suggestions_rank_the_nearest_free_engineer_first(client, app, session, dispatcher):
    near = make_technician(session, home=WEST, working_hours={d: [["00:00", "24:00"]] for d in
                           ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})  # fmt: skip
    far = make_technician(session, home=EAST, working_hours=near.working_hours)
    order = order_at(session, WEST)
    found = runs.suggestions(session, work_order_id=order.id, actor=actor_for(dispatcher),
                             travel=TRAVEL, now=NOW, timezone="Asia/Shanghai")  # fmt: skip
    ranked = [s["technician_id"] for s in found]
    assert ranked.index(str(near.id)) < ranked.index(str(far.id))
    assert found[0]["eta_at"] >= NOW
    waiting = order_at(session, WEST, waiting_for_parts=True)
    response = client.get(
        f"/api/v1/dispatch/suggestions?work_order_id={waiting.id}", headers=bearer(app, dispatcher)
    )
    assert response.status_code == 409
    assert response.json["error"] == "waiting_for_parts"


def test_auto_dispatch_assigns_a_new_urgent_order_to_the_best_engineer(app, session, monkeypatch):
    from server.dispatch import auto

    everyday = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    near = make_technician(session, home=WEST, working_hours=everyday)
    make_technician(session, home=EAST, working_hours=everyday)
    monkeypatch.setitem(app.config, "AUTO_DISPATCH_URGENT", True)
    with app.test_request_context():
        urgent = order_at(session, WEST, priority="urgent")
        # The factory sets the priority after creating; a real urgent intake defers at creation.
        auto.on_created(session, urgent, now=NOW, timezone="Asia/Shanghai")
        queued = session.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'dispatch.auto_assign'")
        ).scalar()
        assert queued == 1
        result = auto.assign_best(session, work_order_id=urgent.id, settings=app.config, now=NOW)
    assert result == {"assigned": True, "technician_id": str(near.id)}
    assert (urgent.status, urgent.assignee_id) == ("assigned", near.id)
    assert urgent.eta_at is not None


def test_auto_dispatch_is_off_by_default_and_skips_what_it_cannot_plan(app, session):
    from server.dispatch import auto

    with app.test_request_context():
        order = order_at(session, WEST, priority="urgent")
        auto.on_created(session, order, now=NOW, timezone="Asia/Shanghai")
        queued = session.execute(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'dispatch.auto_assign'")
        ).scalar()
    assert queued == 0
    order.waiting_for_parts = True
    result = auto.assign_best(session, work_order_id=order.id, settings=app.config, now=NOW)
    assert result == {"assigned": False, "reason": "not_dispatchable"}


def test_a_run_measures_the_assignments_as_they_stand_to_compare_with_its_plan(session, dispatcher):
    """Both engineers sent across the city now: the plan should cut the travel it reports
    against "before", measured the same way."""
    west_tech = make_technician(session, home=WEST)
    east_tech = make_technician(session, home=EAST)
    crossed = [
        order_at(session, EAST, status="assigned", assignee_id=west_tech.id),
        order_at(session, WEST, status="assigned", assignee_id=east_tech.id),
    ]
    waiting = order_at(session, WEST)
    run = _solve(session, dispatcher, work_order_ids=[o.id for o in [*crossed, waiting]],
                 technician_ids=[west_tech.id, east_tech.id])  # fmt: skip

    before = run.stats["before"]
    assert before["served"] == 2  # the unassigned one is not served now
    assert run.stats["served"] == 3
    # Each now drives ~15 km each way; the plan keeps everyone on their side (sites at homes).
    assert before["travel_km"] > 20
    assert run.stats["travel_km"] < before["travel_km"] / 10
    assert set(before) == {
        "served", "travel_km", "travel_minutes", "lateness_minutes", "mean_utilisation"
    }  # fmt: skip
