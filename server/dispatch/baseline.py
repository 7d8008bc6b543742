"""What the current assignments cost, measured like a plan, so a run can show its KPIs before
and after (DESIGN §7): the same problem, the same travel matrix, each engineer's assigned jobs
taken in their scheduled order.

Pure (no database): `runs` passes the snapshot's problem and who has what now. Each engineer's
jobs are driven on the vehicle of the day they are scheduled for (unscheduled ones on the
first day, after the scheduled ones), timed from the shift's start the way instant suggestions
time a current day (`insertion.timeline`: waiting for appointment windows, lunch placed).
Lateness is counted against each job's SLA due time, as the optimizer counts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from server.dispatch.insertion import CurrentRoute, PlannedStop, timeline
from server.dispatch.optimizer.model import Job, Problem, Technician


@dataclass(frozen=True)
class Assigned:
    """A job someone has now: its engineer and, when planned, its scheduled start (seconds)."""

    engineer: str
    scheduled: int | None = None


@dataclass(frozen=True)
class Kpis:
    served: int
    travel_m: int
    travel_s: int
    lateness_s: int
    # Share of each engineer's shift spent working (the plan's utilisation, averaged).
    mean_utilisation: float

    def as_stats(self) -> dict[str, float | int]:
        return {
            "served": self.served,
            "travel_km": round(self.travel_m / 1000, 1),
            "travel_minutes": round(self.travel_s / 60),
            "lateness_minutes": round(self.lateness_s / 60),
            "mean_utilisation": round(self.mean_utilisation, 3),
        }


def current_kpis(problem: Problem, assigned: Mapping[str, Assigned]) -> Kpis:
    jobs = {job.id: job for job in problem.jobs}
    vehicles: dict[str, list[Technician]] = {}
    for vehicle in problem.technicians:
        vehicles.setdefault(vehicle.engineer, []).append(vehicle)
    routes: dict[str, list[tuple[int, Job]]] = {}
    for job_id, who in assigned.items():
        days = sorted(vehicles.get(who.engineer, []), key=lambda v: v.day)
        if job_id not in jobs or not days:
            continue  # not in this plan's horizon, or the engineer is off: not measured
        vehicle = days[0]
        if who.scheduled is not None:
            vehicle = next(
                (v for v in days if v.shift.start <= who.scheduled < v.shift.end), days[0]
            )
        order = who.scheduled if who.scheduled is not None else vehicle.shift.end
        routes.setdefault(vehicle.id, []).append((order, jobs[job_id]))
    by_id = {vehicle.id: vehicle for vehicle in problem.technicians}
    distances = problem.distances or problem.durations
    durations = problem.durations
    travel_m = travel_s = lateness_s = 0
    utilisation: list[float] = []
    for vehicle_id, stops in routes.items():
        vehicle = by_id[vehicle_id]
        planned = tuple(
            PlannedStop(job.id, job.location, order, job.duration, job.window)
            for order, job in sorted(stops, key=lambda stop: stop[0])
        )
        day = CurrentRoute(vehicle, planned, available_from=vehicle.shift.start)
        here, working = vehicle.start_location, 0
        for element in timeline(day, durations, now=vehicle.shift.start):
            if element.job_id is None:
                continue  # a break
            job = jobs[element.job_id]
            travel_m += distances[here][job.location]
            travel_s += durations[here][job.location]
            if job.due is not None:
                lateness_s += max(0, element.start - job.due)
            working += job.duration
            here = job.location
        travel_m += distances[here][vehicle.end_location]
        travel_s += durations[here][vehicle.end_location]
        shift = vehicle.shift.end - vehicle.shift.start
        if shift > 0:
            utilisation.append(working / shift)
    mean = sum(utilisation) / len(utilisation) if utilisation else 0.0
    served = sum(len(stops) for stops in routes.values())
    return Kpis(served, travel_m, travel_s, lateness_s, mean)
