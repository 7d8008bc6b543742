"""Instant insertion suggestion for one new job, on a city-sized day.

    python -m bench.dispatch.insertion [--engineers 200] [--stops 8] [--repeat 200] [--seed 1]

Builds a random Shanghai-sized problem (sites and homes in 31.0-31.4N, 121.2-121.7E, travel
from `travel.GreatCircle` with its defaults), one route per engineer with `--stops` remaining
stops near home, nearest first (a third with appointment windows around their planned times;
a lunch break; skills),
then times `insertion.suggest` for `--repeat` random new jobs (after a few warm-up calls),
once for jobs needing a skill and once for jobs any engineer may do (the worst case: all routes
tried), and prints one JSON line: p50/p95/max in ms and how many engineers were suggested.
The matrix is built once, outside the timing: in the service it comes from the travel cache.
DESIGN §12 target: p95 <= 50 ms for 200 engineers.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from typing import Any

from server.dispatch.insertion import CurrentRoute, PlannedStop, suggest
from server.dispatch.optimizer.model import Break, Job, Technician, Window
from server.dispatch.travel import GreatCircle, Point

H = 3600
M = 60
NOW = 9 * H  # t = 0 is midnight
SKILLS = ("hvac", "electric", "plumbing", "lift", "network")
PRIORITIES = ("urgent", "high", "medium", "medium", "low")
NEARBY_SITES = 60


def build(
    engineers: int, stops: int, sites: int, rng: random.Random
) -> tuple[list[CurrentRoute], tuple[tuple[int, ...], ...], float]:
    """Routes over `sites` customer sites (locations 0..sites-1) and one home per engineer."""
    points = [
        Point(rng.uniform(31.0, 31.4), rng.uniform(121.2, 121.7)) for _ in range(sites + engineers)
    ]
    started = time.perf_counter()
    durations = GreatCircle().matrix(points).durations
    matrix_s = time.perf_counter() - started
    lunch = Break(window=Window(11 * H + 30 * M, 13 * H + 30 * M), duration=45 * M)
    routes = []
    for e in range(engineers):
        home = sites + e
        skills = tuple((code, rng.randint(1, 5)) for code in rng.sample(SKILLS, rng.randint(1, 3)))
        technician = Technician(
            id=f"eng-{e:03d}",
            shift=Window(8 * H, 19 * H),
            start_location=home,
            end_location=home,
            skills=skills,
            breaks=(lunch,),
            max_jobs=stops + 3,
        )
        # Half are finishing a job somewhere; the rest leave from home now.
        in_progress = rng.random() < 0.5
        position = rng.randrange(sites) if in_progress else None
        available_from = NOW + (rng.randint(0, 60) * M if in_progress else 0)
        here, t = (position if position is not None else home), available_from
        # An engineer works their own part of town (a random spread across the city would put
        # an hour of driving between stops and leave no room in any route): the stops are
        # drawn from the sites nearest home and visited nearest first.
        row = durations[home]
        nearby = sorted(range(sites), key=row.__getitem__)[:NEARBY_SITES]
        todo = rng.sample(nearby, stops)
        planned = []
        for k in range(stops):
            site = min(todo, key=durations[here].__getitem__)
            todo.remove(site)
            duration = rng.randint(15, 45) * M
            t += durations[here][site]
            window = None
            if rng.random() < 1 / 3:
                # An appointment promised around the planned time.
                window = Window(t - rng.randint(0, 60) * M, t + rng.randint(30, 120) * M)
            planned.append(PlannedStop(f"wo-{e}-{k}", site, t, duration, window))
            t += duration
            here = site
        routes.append(
            CurrentRoute(
                technician=technician,
                stops=tuple(planned),
                available_from=available_from,
                position=position,
            )
        )
    return routes, durations, round(matrix_s, 2)


def new_job(n: int, sites: int, rng: random.Random, *, skilled: bool) -> Job:
    window = None
    if rng.random() < 0.3:
        start = NOW + rng.randint(1, 6) * H
        window = Window(start, start + 2 * H)
    return Job(
        id=f"new-{n}",
        location=rng.randrange(sites),
        duration=rng.randint(30, 90) * M,
        skills=((rng.choice(SKILLS), rng.randint(1, 3)),) if skilled else (),
        priority=rng.choice(PRIORITIES),
        window=window,
        due=NOW + rng.randint(2, 8) * H,
    )


def time_suggest(
    routes: list[CurrentRoute],
    durations: tuple[tuple[int, ...], ...],
    jobs: list[Job],
) -> dict[str, Any]:
    for job in jobs[:5]:  # warm up
        suggest(job, routes, durations, now=NOW)
    gc.collect()
    timings = []
    found = []
    for job in jobs[5:]:
        started = time.perf_counter()
        result = suggest(job, routes, durations, now=NOW, limit=5)
        timings.append((time.perf_counter() - started) * 1000)
        found.append(len(result))
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "max_ms": round(timings[-1], 2),
        "jobs_with_a_suggestion": sum(1 for f in found if f),
        "mean_suggestions": round(statistics.mean(found), 2),
    }


def run(engineers: int, stops: int, repeat: int, sites: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    routes, durations, matrix_s = build(engineers, stops, sites, rng)
    skilled = [new_job(n, sites, rng, skilled=True) for n in range(repeat + 5)]
    anyone = [new_job(n, sites, rng, skilled=False) for n in range(repeat + 5)]
    return {
        "engineers": engineers,
        "stops": stops,
        "repeat": repeat,
        "points": sites + engineers,
        "matrix_s": matrix_s,
        # A skill requirement leaves about a quarter of the engineers to try.
        "skilled_jobs": time_suggest(routes, durations, skilled),
        # The worst case: every engineer is eligible and every route is tried.
        "any_engineer_jobs": time_suggest(routes, durations, anyone),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engineers", type=int, default=200)
    parser.add_argument("--stops", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--sites", type=int, default=1000, help="distinct customer sites")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(run(args.engineers, args.stops, args.repeat, args.sites, args.seed)))


if __name__ == "__main__":
    main()
