"""From the database to the optimizer's `Problem`: which orders and engineers a run (or an
instant suggestion) considers, as integer seconds from the horizon's first local midnight.

What is planned: open orders not yet started (`new`, `assigned`, `accepted`) that have a place
on the map and are not waiting for parts; `accepted` ones stay with the engineer who accepted
them, and so do those a dispatcher pinned (the optimizer may only re-time them). Who plans:
active engineers with working hours on each day of the horizon, one optimizer vehicle per
engineer and day; today's shift starts no earlier than now, from the engineer's latest position
if it is fresh, else from home. Split working hours (09-12, 13-18) become a lunch break inside
the gap. Territories come from PostGIS (the job's location inside the area; the engineer's
memberships).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.dispatch import territories as territories_service
from server.dispatch.models import Territory
from server.dispatch.optimizer import model
from server.dispatch.travel import Point, TravelProvider
from server.technicians.hours import DAYS, to_minutes
from server.technicians.models import Technician
from server.workorders.models import WorkOrder

PLANNABLE = ("new", "assigned", "accepted")
# A position older than this says nothing about where the engineer is now.
FRESH_POSITION = timedelta(minutes=30)
MAX_DAYS = 7


@dataclass
class Snapshot:
    """The problem, and what is needed to read the plan back (ids, origin, versions)."""

    problem: model.Problem
    origin: datetime
    points: list[Point]
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    engineers: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def at(self, seconds: int) -> datetime:
        return self.origin + timedelta(seconds=seconds)

    def seconds(self, moment: datetime) -> int:
        return int((moment - self.origin).total_seconds())


def _point(geography: Any) -> Point:
    shape = to_shape(geography)
    return Point(lat=shape.y, lon=shape.x)


def local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def build(
    session: Session,
    *,
    travel: TravelProvider,
    now: datetime,
    timezone: str,
    date_from: date,
    date_to: date,
    technician_ids: list[uuid.UUID] | None = None,
    work_order_ids: list[uuid.UUID] | None = None,
) -> Snapshot:
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise ValueError("the horizon is 1 to 7 days")
    origin = local_midnight(date_from, timezone)
    points: list[Point] = []
    index: dict[tuple[float, float], int] = {}

    def locate(point: Point) -> int:
        key = (round(point.lat, 6), round(point.lon, 6))
        if key not in index:
            index[key] = len(points)
            points.append(point)
        return index[key]

    snapshot = Snapshot(problem=model.Problem((), (), ()), origin=origin, points=points)
    strict = frozenset(
        session.scalars(
            select(Territory.code).where(Territory.active.is_(True), Territory.strict.is_(True))
        )
    )
    vehicles = _technicians(
        session,
        snapshot,
        locate,
        now=now,
        timezone=timezone,
        date_from=date_from,
        date_to=date_to,
        only=technician_ids,
    )
    jobs = _jobs(session, snapshot, locate, only=work_order_ids)
    matrix = travel.matrix(points, depart_at=max(now, origin)) if points else None
    snapshot.problem = model.Problem(
        technicians=tuple(vehicles),
        jobs=tuple(jobs),
        durations=matrix.durations if matrix else (),
        distances=matrix.distances if matrix else None,
        strict_territories=strict,
    )
    return snapshot


def _technicians(
    session: Session,
    snapshot: Snapshot,
    locate: Any,
    *,
    now: datetime,
    timezone: str,
    date_from: date,
    date_to: date,
    only: list[uuid.UUID] | None,
) -> list[model.Technician]:
    stmt = select(Technician).where(Technician.active.is_(True))
    if only:
        stmt = stmt.where(Technician.id.in_(only))
    memberships = territories_service.technician_territories(session)
    vehicles: list[model.Technician] = []
    for tech in session.scalars(stmt.order_by(Technician.id)):
        home = locate(_point(tech.home))
        fresh = (
            tech.last_position is not None
            and tech.last_position_at is not None
            and now - tech.last_position_at <= FRESH_POSITION
        )
        skills = tuple(sorted((s.skill_code, s.level) for s in tech.skills))
        engineer = str(tech.id)
        snapshot.engineers[engineer] = {"name": tech.user.name, "home": home}
        day = date_from
        while day <= date_to:
            ranges = [
                (to_minutes(a), to_minutes(b))
                for a, b in (tech.working_hours or {}).get(DAYS[day.weekday()], [])
            ]
            day_origin = snapshot.seconds(local_midnight(day, timezone))
            if ranges:
                start = day_origin + ranges[0][0] * 60
                end = day_origin + ranges[-1][1] * 60
                # The gap between two working ranges is a break (at most an hour of it),
                # starting early enough to end by the next range.
                breaks = tuple(
                    model.Break(
                        model.Window(
                            day_origin + a_end * 60,
                            day_origin + (b_start - min(60, b_start - a_end)) * 60,
                        ),
                        min(60, b_start - a_end) * 60,
                    )
                    for (_, a_end), (b_start, _) in itertools.pairwise(ranges)
                    if b_start > a_end
                )
                now_s = snapshot.seconds(now)
                start_location = home
                if start < now_s < end:
                    start = now_s
                    breaks = tuple(b for b in breaks if b.window.end > now_s)
                    if fresh:
                        start_location = locate(_point(tech.last_position))
                if start < end:
                    vehicles.append(
                        model.Technician(
                            id=f"{engineer}:{day.isoformat()}",
                            engineer_id=engineer,
                            day=(day - date_from).days,
                            shift=model.Window(start, end),
                            start_location=start_location,
                            end_location=home,
                            skills=skills,
                            breaks=tuple(b for b in breaks if b.window.start >= start),
                            max_jobs=tech.max_jobs_per_day,
                            territories=frozenset(memberships.get(tech.id, ())),
                        )
                    )
            day += timedelta(days=1)
    return vehicles


def _jobs(
    session: Session, snapshot: Snapshot, locate: Any, *, only: list[uuid.UUID] | None
) -> list[model.Job]:
    stmt = select(WorkOrder).where(WorkOrder.status.in_(PLANNABLE))
    if only:
        stmt = stmt.where(WorkOrder.id.in_(only))
    orders = list(session.scalars(stmt.order_by(WorkOrder.created_at, WorkOrder.id)))
    covering = _territories_of(session, [o.id for o in orders if o.location is not None])
    jobs: list[model.Job] = []
    for order in orders:
        key = str(order.id)
        if order.location is None:
            snapshot.skipped.append({"work_order_id": key, "reason": "no_location"})
            continue
        if order.waiting_for_parts:
            snapshot.skipped.append({"work_order_id": key, "reason": "waiting_for_parts"})
            continue
        window = None
        if order.appointment_start_at and order.appointment_end_at:
            window = model.Window(
                snapshot.seconds(order.appointment_start_at),
                snapshot.seconds(order.appointment_end_at),
            )
        due_at = order.response_due_at if order.responded_at is None else order.resolve_due_at
        jobs.append(
            model.Job(
                id=key,
                location=locate(_point(order.location)),
                duration=order.duration_minutes * 60,
                skills=tuple(
                    sorted((s["code"], int(s.get("level", 1))) for s in order.required_skills)
                ),
                priority=order.priority,
                window=window,
                due=snapshot.seconds(due_at) if due_at else None,
                pinned_to=str(order.assignee_id)
                if (order.status == "accepted" or order.pinned) and order.assignee_id
                else None,
                territory=(covering.get(order.id) or [None])[0],
            )
        )
        snapshot.orders[key] = {
            "number": order.number,
            "version": order.version,
            "status": order.status,
            "assignee_id": str(order.assignee_id) if order.assignee_id else None,
            "priority": order.priority,
            "pinned": order.pinned,
            "scheduled": snapshot.seconds(order.scheduled_start_at)
            if order.scheduled_start_at
            else None,
        }
    return jobs


def _territories_of(session: Session, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    if not order_ids:
        return {}
    rows = session.execute(
        select(WorkOrder.id, Territory.code)
        .join(Territory, func.ST_Covers(Territory.area, WorkOrder.location))
        .where(WorkOrder.id.in_(order_ids), Territory.active.is_(True))
        .order_by(WorkOrder.id, Territory.code)
    ).all()
    found: dict[uuid.UUID, list[str]] = {}
    for order_id, code in rows:
        found.setdefault(order_id, []).append(code)
    return found
