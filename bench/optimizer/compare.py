"""Our optimizer against VROOM and PyVRP on VRPTW instances, same budget, same evaluator.

    python -m bench.optimizer.compare --set solomon8 [--time-limit-s 10]
        [--solvers ours,vroom,pyvrp] [--vroom-threads 1] [--workers 1] [--first-solution auto]
        [--seed 0] [--bks PATH] [--json]
    python -m bench.optimizer.compare FILE.vrp|NAME ... [options]

For every instance, runs each solver in turn (never two at once) with the same time limit,
measures each solution with `instances.evaluate` (exact, unrounded Euclidean distance and exact
times), and reports distance, vehicles, gap % to the distance-only best-known solution
re-measured exactly (`exact_euclid_distance` in `bks_distance_only.csv`), wall time and
feasibility; then the mean gap per solver over the instances it solved feasibly. The objective is
total distance for all three (no vehicle cost). `--set solomon8` is C101, C201, R101, R112,
R201, RC101, RC201, RC208 (see `instances.SOLOMON8`). DESIGN §12 target: our mean gap <= 1.0% at
10 s per 100-customer instance, and below VROOM's in the same run.

With `--json`, prints one JSON object per (instance, solver) and a final summary object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.optimizer.instances import (
    BKS_DISTANCE_ONLY,
    SOLOMON8,
    evaluate,
    gap_pct,
    read,
    read_bks,
    resolve,
)
from bench.optimizer.solvers import SOLVERS, runner

SETS = {"solomon8": SOLOMON8}


def run(
    paths: list[Path],
    solvers: list[str],
    time_limit_s: float,
    bks_path: Path,
    seed: int,
    vroom_threads: int,
    emit_json: bool,
    workers: int = 1,
    first_solution: str = "auto",
) -> dict[str, Any]:
    bks = read_bks(bks_path)
    rows: list[dict[str, Any]] = []
    for path in paths:
        instance = read(path)
        best = bks.get(instance.name)
        for name in solvers:
            result = runner(name, vroom_threads, workers, first_solution)(
                path, instance, time_limit_s, seed
            )
            ev = evaluate(instance, result.routes)
            row: dict[str, Any] = {
                "instance": instance.name,
                "solver": name,
                "vehicles": ev.vehicles,
                "distance": round(ev.distance, 2),
                "bks": best.distance if best else None,
                "gap_pct": round(gap_pct(ev.distance, best.distance), 3) if best else None,
                "time_s": round(result.time_s, 2),
                "feasible": ev.feasible,
                "note": result.note,
            }
            if not ev.feasible:
                row["problems"] = list(ev.problems)
            rows.append(row)
            if emit_json:
                print(json.dumps(row, ensure_ascii=False), flush=True)
            else:
                print(
                    f"  {instance.name:<8} {name:<6} {row['distance']:>10.2f} "
                    f"{ev.vehicles:>3} veh  gap {row['gap_pct'] if best else '-':>7} %  "
                    f"{row['time_s']:>6.2f} s  {'ok' if ev.feasible else 'INFEASIBLE'}",
                    file=sys.stderr,
                    flush=True,
                )
    summary: dict[str, Any] = {
        "time_limit_s": time_limit_s,
        "vroom_threads": vroom_threads,
        "ours_workers": workers,
        "ours_first_solution": first_solution,
    }
    for name in solvers:
        mine = [r for r in rows if r["solver"] == name]
        gaps = [r["gap_pct"] for r in mine if r["feasible"] and r["gap_pct"] is not None]
        summary[name] = {
            "instances": len(mine),
            "feasible": sum(r["feasible"] for r in mine),
            "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
            "mean_time_s": round(statistics.fmean(r["time_s"] for r in mine), 2) if mine else None,
        }
    return {"rows": rows, "summary": summary}


def print_table(result: dict[str, Any], solvers: list[str]) -> None:
    rows = result["rows"]
    names = list(dict.fromkeys(r["instance"] for r in rows))
    head = f"{'instance':<9}{'BKS':>9}"
    for s in solvers:
        head += f" | {s + ' dist':>10} {'veh':>3} {'gap%':>6} {'time':>6} {'feas':>4}"
    print(head)
    print("-" * len(head))
    for name in names:
        mine = {r["solver"]: r for r in rows if r["instance"] == name}
        bks = next(iter(mine.values()))["bks"]
        line = f"{name:<9}{bks if bks is not None else '-':>9}"
        for s in solvers:
            r = mine[s]
            gap = f"{round(r['gap_pct'], 2) + 0.0:.2f}" if r["gap_pct"] is not None else "-"
            line += (
                f" | {r['distance']:>10.2f} {r['vehicles']:>3} {gap:>6} {r['time_s']:>6.2f}"
                f" {'yes' if r['feasible'] else 'NO':>4}"
            )
        print(line)
    print("-" * len(head))
    summary = result["summary"]
    for s in solvers:
        figures = summary[s]
        gap = figures["mean_gap_pct"]
        print(
            f"{s:<6} mean gap {gap if gap is not None else '-':>7} % over "
            f"{figures['feasible']}/{figures['instances']} feasible, "
            f"mean time {figures['mean_time_s']} s"
        )
    print(
        f"time limit {summary['time_limit_s']} s per instance and solver; "
        f"VROOM exploration_level 5, {summary['vroom_threads']} thread(s); ours workers "
        f"{summary['ours_workers']}, first solution {summary['ours_first_solution']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("instances", nargs="*", help="VRPLIB files or instance names (C101)")
    parser.add_argument("--set", choices=sorted(SETS), help="a named set of instances")
    parser.add_argument("--time-limit-s", type=float, default=10.0)
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="comma-separated")
    parser.add_argument("--vroom-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="ours: SolveParams.workers")
    parser.add_argument("--first-solution", default="auto", help="ours: SolveParams.first_solution")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bks", type=Path, default=BKS_DISTANCE_ONLY)
    parser.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    args = parser.parse_args()
    names = list(args.instances) + (list(SETS[args.set]) if args.set else [])
    if not names:
        parser.error("give instance files or --set")
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    for s in solvers:
        if s not in SOLVERS:
            parser.error(f"unknown solver {s!r}; choose from {', '.join(SOLVERS)}")
    result = run(
        [resolve(n) for n in names],
        solvers,
        args.time_limit_s,
        args.bks,
        args.seed,
        args.vroom_threads,
        args.json,
        args.workers,
        args.first_solution,
    )
    if args.json:
        print(json.dumps({"summary": result["summary"]}), flush=True)
    else:
        print_table(result, solvers)


if __name__ == "__main__":
    main()
