"""Optimizer benchmarks: our solver against best-known solutions and peers (VROOM, PyVRP).

    python -m bench.optimizer.vrptw FILE.vrp... [--time-limit-s N] [--json]
    python -m bench.optimizer.compare --set solomon8 [--time-limit-s N] [--solvers ...]
    python -m bench.optimizer.field_day [--time-limit-s N] [--seed S]

Instances are read from `../shared/benchdata/` (or paths given on the command line), never
copied into the repository. Every solution, whichever solver produced it, is measured by the
same exact floating-point evaluator in `instances.py`. See README.md for the figures.
"""
