"""Dispatch runs: snapshot the inputs, solve in the worker with no transaction open, store the
plan with its statistics and its difference from today's assignments, and apply it through
the life cycle, one audited `assign` per changed order, skipping what changed since.

Applying twice does nothing the second time: the run remembers what it applied.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.actors import Actor
from server.dispatch import baseline, insertion, snapshot
from server.dispatch.models import DispatchRun
from server.dispatch.optimizer import Plan, SolveParams, solve
from server.dispatch.travel import TravelProvider
from server.errors import Conflict, DomainError, NotFound, ValidationFailed
from server.technicians.models import Technician
from server.workorders import service as workorders_service
from server.workorders.models import WorkOrder
from server.workorders.timeline import get_work_order

MAX_TIME_LIMIT_S = 120


def create_run(
    session: Session, *, actor: Actor, options: dict[str, Any], today: date
) -> DispatchRun:
    date_from = options.get("date_from") or today
    date_to = options.get("date_to") or date_from
    if date_to < date_from:
        raise ValidationFailed({"date_to": ["date_to_before_date_from"]})
    if (date_to - date_from).days >= snapshot.MAX_DAYS:
        raise ValidationFailed({"date_to": ["horizon_too_long"]})
    run = DispatchRun(
        status="queued",
        requested_by_id=actor.user_id,
        requested_by_name=actor.name or actor.kind,
        options={
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "technician_ids": [str(t) for t in options.get("technician_ids") or []],
            "work_order_ids": [str(w) for w in options.get("work_order_ids") or []],
            "time_limit_s": int(options.get("time_limit_s") or 10),
            "apply": bool(options.get("apply", False)),
        },
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, *, run_id: uuid.UUID, lock: bool = False) -> DispatchRun:
    stmt = select(DispatchRun).where(DispatchRun.id == run_id)
    if lock:
        stmt = stmt.with_for_update()
    run = session.scalar(stmt)
    if run is None:
        raise NotFound()
    return run


# --- solving (the worker calls these three in order, the middle one outside any transaction)


def take_snapshot(
    session: Session, *, run_id: uuid.UUID, travel: TravelProvider, now: datetime, timezone: str
) -> snapshot.Snapshot | None:
    run = get_run(session, run_id=run_id, lock=True)
    if run.status != "queued":
        return None  # another worker took it, or it is done
    options = run.options
    snap = snapshot.build(
        session,
        travel=travel,
        now=now,
        timezone=timezone,
        date_from=date.fromisoformat(options["date_from"]),
        date_to=date.fromisoformat(options["date_to"]),
        technician_ids=[uuid.UUID(t) for t in options["technician_ids"]] or None,
        work_order_ids=[uuid.UUID(w) for w in options["work_order_ids"]] or None,
    )
    run.status = "running"
    run.started_at = now
    run.snapshot = {
        "origin": snap.origin.isoformat(),
        "orders": snap.orders,
        "engineers": {k: {"name": v["name"]} for k, v in snap.engineers.items()},
        "skipped": snap.skipped,
        "vehicles": len(snap.problem.technicians),
    }
    return snap


def solve_snapshot(snap: snapshot.Snapshot, *, time_limit_s: float) -> Plan:
    """The optimizer itself: pure, and run with no database transaction open."""
    return solve(snap.problem, SolveParams(time_limit_s=time_limit_s))


def store_plan(
    session: Session, *, run_id: uuid.UUID, snap: snapshot.Snapshot, plan: Plan, now: datetime
) -> DispatchRun:
    run = get_run(session, run_id=run_id, lock=True)
    routes = []
    for route in plan.routes:
        engineer = route.technician_id.split(":", 1)[0]
        routes.append(
            {
                "technician_id": engineer,
                "vehicle": route.technician_id,
                "name": snap.engineers.get(engineer, {}).get("name"),
                "start_at": snap.at(route.start).isoformat(),
                "end_at": snap.at(route.end).isoformat(),
                "travel_s": route.travel_time,
                "travel_m": route.travel_distance,
                "stops": [
                    {
                        "work_order_id": stop.job_id,
                        "number": snap.orders[stop.job_id]["number"],
                        "arrival_at": snap.at(stop.arrival).isoformat(),
                        "start_at": snap.at(stop.start).isoformat(),
                        "departure_at": snap.at(stop.departure).isoformat(),
                        "lateness_s": stop.lateness,
                    }
                    for stop in route.stops
                ],
            }
        )
    unassigned = [
        {"work_order_id": u.job_id, "number": snap.orders[u.job_id]["number"], "reason": u.reason}
        for u in plan.unassigned
    ]
    run.plan = {"routes": routes, "unassigned": unassigned, "status": plan.status}
    run.stats = _stats(snap, plan)
    run.diff = _diff(snap, routes, unassigned)
    run.status = "done"
    run.finished_at = now
    return run


def fail(session: Session, *, run_id: uuid.UUID, error: str, now: datetime) -> None:
    run = get_run(session, run_id=run_id, lock=True)
    run.status = "failed"
    run.error = error[:500]
    run.finished_at = now


def _stats(snap: snapshot.Snapshot, plan: Plan) -> dict[str, Any]:
    shift = {t.id: t.shift.end - t.shift.start for t in snap.problem.technicians}
    durations = {j.id: j.duration for j in snap.problem.jobs}
    utilisation = {
        r.technician_id: round(
            sum(durations[s.job_id] for s in r.stops) / shift[r.technician_id], 3
        )
        for r in plan.routes
        if shift.get(r.technician_id)
    }
    after = baseline.Kpis(
        served=sum(len(r.stops) for r in plan.routes),
        travel_m=sum(r.travel_distance for r in plan.routes),
        travel_s=sum(r.travel_time for r in plan.routes),
        lateness_s=sum(s.lateness for r in plan.routes for s in r.stops),
        mean_utilisation=sum(utilisation.values()) / len(utilisation) if utilisation else 0.0,
    )
    before = baseline.current_kpis(
        snap.problem,
        {
            job_id: baseline.Assigned(seen["assignee_id"], seen.get("scheduled"))
            for job_id, seen in snap.orders.items()
            if seen["assignee_id"]
        },
    )
    return {
        "objective": plan.objective,
        "solver_status": plan.status,
        "solve_time_s": round(plan.solve_time_s, 2),
        "jobs": len(snap.problem.jobs),
        "dropped": len(plan.unassigned),
        "skipped": len(snap.skipped),
        "vehicles": len(snap.problem.technicians),
        **after.as_stats(),  # served, travel, lateness, mean utilisation
        "utilisation": utilisation,
        # The same measures for the assignments as they stand, to compare the plan with.
        "before": before.as_stats(),
    }


def _diff(
    snap: snapshot.Snapshot, routes: list[dict[str, Any]], unassigned: list[dict[str, Any]]
) -> dict[str, Any]:
    changes, unchanged, kept = [], 0, []
    for route in routes:
        for stop in route["stops"]:
            seen = snap.orders[stop["work_order_id"]]
            before = seen["assignee_id"]
            if before == route["technician_id"]:
                unchanged += 1
                if seen.get("pinned"):
                    kept.append(
                        {
                            "work_order_id": stop["work_order_id"],
                            "number": stop["number"],
                            "technician_id": before,
                        }
                    )
                continue
            changes.append(
                {
                    "work_order_id": stop["work_order_id"],
                    "number": stop["number"],
                    "from_technician_id": before,
                    "to_technician_id": route["technician_id"],
                    "to_name": route["name"],
                    "start_at": stop["start_at"],
                }
            )
    left = [u for u in unassigned if snap.orders[u["work_order_id"]]["assignee_id"] is None]
    # Pinned jobs the plan kept with their engineer (a pin never moves; it may only be re-timed).
    return {
        "assign": changes,
        "unchanged": unchanged,
        "left_unassigned": len(left),
        "pinned": kept,
    }


# --- applying -------------------------------------------------------------------------------


def apply_run(
    session: Session, *, run_id: uuid.UUID, actor: Actor, now: datetime, timezone: str
) -> DispatchRun:
    """Assign what the plan changed, in one transaction. An order that changed since the
    snapshot (another dispatcher, the engineer, a cancellation) is left alone and reported."""
    run = get_run(session, run_id=run_id, lock=True)
    if run.status == "applied":
        return run  # the second apply changes nothing
    if run.status != "done" or run.plan is None or run.snapshot is None:
        raise Conflict("run_not_ready", extra={"status_now": run.status})
    assigned, conflicts, scheduled = [], [], 0
    for route in run.plan["routes"]:
        for stop in route["stops"]:
            key = stop["work_order_id"]
            seen = run.snapshot["orders"][key]
            order = session.scalar(
                select(WorkOrder).where(WorkOrder.id == uuid.UUID(key)).with_for_update()
            )
            if order is None or order.version != seen["version"]:
                conflicts.append(
                    {
                        "work_order_id": key,
                        "number": seen["number"],
                        "reason": "changed_since_snapshot",
                    }
                )
                continue
            target = uuid.UUID(route["technician_id"])
            if order.assignee_id != target:
                try:
                    workorders_service.apply_transition(
                        session,
                        work_order_id=order.id,
                        actor=actor,
                        change=workorders_service.TransitionInput(
                            action="assign", technician_id=target
                        ),
                        now=now,
                        timezone=timezone,
                    )
                except DomainError as refused:
                    conflicts.append(
                        {"work_order_id": key, "number": seen["number"], "reason": refused.error}
                    )
                    continue
                assigned.append(
                    {
                        "work_order_id": key,
                        "number": seen["number"],
                        "technician_id": route["technician_id"],
                    }
                )
            else:
                order.version += 1  # same engineer, new times: phones re-sync it
                order.updated_at = now
            order.scheduled_start_at = datetime.fromisoformat(stop["start_at"])
            order.eta_at = datetime.fromisoformat(stop["arrival_at"])
            scheduled += 1
    run.status = "applied"
    run.applied_at = now
    run.applied = {"assigned": assigned, "scheduled": scheduled, "conflicts": conflicts}
    return run


# --- instant suggestions --------------------------------------------------------------------


def suggestions(
    session: Session,
    *,
    work_order_id: uuid.UUID,
    actor: Actor,
    travel: TravelProvider,
    now: datetime,
    timezone: str,
    limit: int = 5,
) -> list[dict[str, Any]]:
    """The best engineers for one order today: each one's cheapest feasible place for it in
    their current day, with ETA and added travel."""
    order = get_work_order(session, work_order_id=work_order_id, actor=actor)
    if order.waiting_for_parts:
        raise Conflict("waiting_for_parts")
    if order.location is None:
        raise Conflict("work_order_has_no_location")
    today = now.astimezone(snapshot.ZoneInfo(timezone)).date()
    # Only this order and the engineers' current days matter, not the whole queue.
    planned = list(
        session.scalars(
            select(WorkOrder.id).where(
                WorkOrder.status.in_(("assigned", "accepted")), WorkOrder.assignee_id.is_not(None)
            )
        )
    )
    snap = snapshot.build(
        session,
        travel=travel,
        now=now,
        timezone=timezone,
        date_from=today,
        date_to=today,
        work_order_ids=[order.id, *planned],
    )
    jobs = {job.id: job for job in snap.problem.jobs}
    job = jobs.get(str(order.id))
    if job is None:
        return []
    job = dataclasses.replace(job, pinned_to=None)
    # Each engineer's day as it stands: their other assigned orders, in scheduled order.
    stops_by_engineer: dict[str, list[insertion.PlannedStop]] = {}
    for other in session.scalars(
        select(WorkOrder)
        .where(
            WorkOrder.status.in_(("assigned", "accepted")),
            WorkOrder.assignee_id.is_not(None),
            WorkOrder.id != order.id,
        )
        .order_by(WorkOrder.scheduled_start_at.asc().nulls_last(), WorkOrder.created_at)
    ):
        planned = jobs.get(str(other.id))
        if planned is None:
            continue
        stops_by_engineer.setdefault(str(other.assignee_id), []).append(
            insertion.PlannedStop(
                job_id=planned.id,
                location=planned.location,
                start=snap.seconds(other.scheduled_start_at) if other.scheduled_start_at else 0,
                duration=planned.duration,
                window=planned.window,
            )
        )
    now_s = snap.seconds(now)
    routes = [
        insertion.CurrentRoute(
            technician=vehicle,
            stops=tuple(stops_by_engineer.get(vehicle.engineer, ())),
            available_from=max(now_s, vehicle.shift.start),
        )
        for vehicle in snap.problem.technicians
    ]
    found = insertion.suggest(
        job,
        routes,
        snap.problem.durations,
        snap.problem.distances,
        now=now_s,
        limit=limit,
        strict_territories=snap.problem.strict_territories,
    )
    names = {
        str(t.id): t.user.name
        for t in session.scalars(
            select(Technician).where(
                Technician.id.in_([uuid.UUID(s.technician_id.split(":")[0]) for s in found])
            )
        )
    }
    return [
        {
            "technician_id": s.technician_id.split(":")[0],
            "name": names.get(s.technician_id.split(":")[0]),
            "position": s.position,
            "eta_at": snap.at(s.eta),
            "start_at": snap.at(s.start),
            "added_travel_s": s.added_travel,
            "added_distance_m": s.added_distance,
            "lateness_s": s.lateness,
        }
        for s in found
    ]
