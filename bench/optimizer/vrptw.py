"""Our optimizer on VRPLIB VRPTW instances (the DESIGN §13 contract).

    python -m bench.optimizer.vrptw FILE.vrp... [--time-limit-s N] [--json]
        [--seed 0] [--workers 1] [--first-solution auto]

For each file (or bare instance name such as `C101`, looked up in `../shared/benchdata/`),
builds our `Problem` (`instances.to_problem`: one technician per vehicle of the fleet, one job
per customer, integer matrices = Euclidean distance x 1000), solves it with
`server.dispatch.optimizer.solve(problem, SolveParams(time_limit_s=N))` (distance objective, no
vehicle cost) and prints one JSON line per instance on stdout:

    {"instance", "vehicles", "distance", "time_s", "feasible"}

`distance` is the exact, unrounded Euclidean length of the routes, `feasible` the exact check of
windows, depot deadline, capacity, fleet and every customer served once (`instances.evaluate`),
`time_s` the wall time of building the model and solving. Without `--json`, a readable line per
instance with the gap to the distance-only best-known solution (`exact_euclid_distance` in
`bks_distance_only.csv`) goes to stderr as well; stdout is the same JSON in both cases.
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.optimizer.instances import BKS_DISTANCE_ONLY, evaluate, gap_pct, read, read_bks, resolve
from bench.optimizer.solvers import run_ours


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("instances", nargs="+", help="VRPLIB files (or instance names)")
    parser.add_argument("--time-limit-s", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="SolveParams.workers (default 1)")
    parser.add_argument("--first-solution", default="auto", help="SolveParams.first_solution")
    parser.add_argument("--json", action="store_true", help="JSON lines only, nothing on stderr")
    args = parser.parse_args()
    bks = read_bks() if BKS_DISTANCE_ONLY.exists() else {}
    for name in args.instances:
        path = resolve(name)
        instance = read(path)
        result = run_ours(
            path, instance, args.time_limit_s, args.seed, args.workers, args.first_solution
        )
        ev = evaluate(instance, result.routes)
        print(
            json.dumps(
                {
                    "instance": instance.name,
                    "vehicles": ev.vehicles,
                    "distance": round(ev.distance, 2),
                    "time_s": round(result.time_s, 2),
                    "feasible": ev.feasible,
                }
            ),
            flush=True,
        )
        if not args.json:
            best = bks.get(instance.name)
            gap = (
                f"gap {gap_pct(ev.distance, best.distance):+.2f}% to {best.distance}"
                if best
                else ""
            )
            problems = "; ".join(ev.problems)
            print(
                f"# {instance.name}: {ev.distance:.2f} with {ev.vehicles} vehicles {gap}, "
                f"{result.time_s:.1f} s, {result.note} {problems}",
                file=sys.stderr,
                flush=True,
            )


if __name__ == "__main__":
    main()
