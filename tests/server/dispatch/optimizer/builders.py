"""Small builders for hand-made optimizer problems: points on a plane, technicians, jobs."""

from __future__ import annotations

import math
from typing import Any

from server.dispatch.optimizer import Job, SolveParams, Technician, Window

MINUTE = 60
HOUR = 3600
DAY = Window(8 * HOUR, 18 * HOUR)
# Tests bound the search by solutions, not seconds: deterministic and quick.
QUICK = SolveParams(solution_limit=200, time_limit_s=20)


def plane(*points: tuple[float, float]) -> tuple[tuple[int, ...], ...]:
    """Travel seconds between points given in minutes of driving on a plane."""
    return tuple(tuple(round(math.dist(a, b) * MINUTE) for b in points) for a in points)


def tech(tech_id: str, location: int = 0, shift: Window = DAY, **kwargs: Any) -> Technician:
    kwargs.setdefault("end_location", location)
    return Technician(id=tech_id, shift=shift, start_location=location, **kwargs)


def job(job_id: str, location: int, minutes: int = 30, **kwargs: Any) -> Job:
    return Job(id=job_id, location=location, duration=minutes * MINUTE, **kwargs)
