"""The engineer app's API under load: an offline outbox replayed, and sync with many phones.

    python -m bench.mobile.replay [--ops 1000] [--engineers 50] [--syncs 20]
                                  [--gunicorn] [--interval-ms 0] [--history 0]

Builds a fresh database `fieldline_bench_mobile` on the embedded cluster (or
BENCH_DATABASE_URL's server). Then:

- replay (through the real app in this process: routing, auth, validation, one transaction per
  batch; no network): one engineer's outbox of `--ops` ops (whole jobs: accept, travel, arrive,
  note, resolution, complete), sent in batches of 100 as the app does, timed end to end; then
  the same outbox again, which must change nothing (every op answered `duplicate`). SQL
  statements per op are counted (`before_cursor_execute`);
- sync: `--engineers` engineers with 8 open jobs each (assigned ten minutes ago, plus
  `--history` closed jobs each) sync at once, `--syncs` times each: a full sync, then deltas
  with their cursor; p50/p95 per request. By default through the app in this process (one
  Python process: the threads share one interpreter lock), with SQL statements per sync; with
  `--gunicorn`, over HTTP against gunicorn started as `make run` starts it (2 workers x 8
  threads, gthread), keep-alive connections. `--interval-ms 0` is a closed loop (each phone
  asks again as soon as it is answered: the worst case, where latency is the queue); a positive
  interval paces each phone to one sync per interval, as phones do.

Each result line carries the load average of the machine when it started and ended (the figures
are only comparable between runs at similar load).

DESIGN §12 targets: 1,000 queued ops applied in <= 5 s; sync p95 <= 40 ms at 50 engineers.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url, text

from server import embedded_pg, migrate
from server.config import PROJECT_ROOT, load_config

DB_NAME = "fieldline_bench_mobile"
STEPS = ("accept", "start_travel", "arrive", "note", "resolution", "complete")
SECRET = "bench-mobile-secret-key-0123456789abcdef"


def _server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or embedded_pg.ensure_cluster(
        PROJECT_ROOT, port=load_config().PG_PORT
    )


def prepare() -> str:
    server = make_url(_server_url())
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = server.set(database=DB_NAME).render_as_string(hide_password=False)
    migrate.upgrade(url)
    return url


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class StatementCounter:
    """SQL statements sent by this process's engine while `counting()` is open."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        self._on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if self._on:
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.count, self._on = 0, True
        try:
            yield
        finally:
            self._on = False


def _payload(step: str) -> dict[str, Any]:
    if step == "note":
        return {"body": "客户确认故障 customer confirmed the fault"}
    if step in ("resolution", "complete"):
        return {"resolution": "更换电容 replaced the capacitor"}
    return {}


def replay(app: Any, ops_count: int, counter: StatementCounter) -> dict[str, Any]:
    from server.db import db
    from tests.factories import bearer, make_customer, make_site, make_technician, make_work_order

    jobs_needed = -(-ops_count // len(STEPS))
    with app.app_context(), db.unit_of_work(app) as session:
        tech = make_technician(session)
        customer = make_customer(session)
        site = make_site(session, customer=customer)
        jobs = [
            make_work_order(
                session, customer=customer, site=site, status="assigned", assignee_id=tech.id
            )
            for _ in range(jobs_needed)
        ]
        headers = bearer(app, tech.user, ttl_s=3600)
        outbox = [
            {
                "op_id": f"bench-{uuid.uuid4().hex}",
                "type": step,
                "work_order_id": str(job.id),
                "base_version": job.version,
                "payload": _payload(step),
            }
            for job in jobs
            for step in STEPS
        ][:ops_count]
    client = app.test_client()
    timings: dict[str, Any] = {"load_before": _load()}
    for label in ("first replay", "second replay"):
        started, cpu_started = time.perf_counter(), time.process_time()
        statuses: dict[str, int] = {}
        with counter.counting():
            for i in range(0, len(outbox), 100):
                response = client.post(
                    "/mobile/v1/ops", json={"ops": outbox[i : i + 100]}, headers=headers
                )
                for result in response.json["results"]:
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        timings[label] = {
            "seconds": round(time.perf_counter() - started, 2),
            # This process's CPU (the app's side; the database's is not in it): steadier than
            # the wall clock on a shared machine.
            "app_cpu_seconds": round(time.process_time() - cpu_started, 2),
            "statuses": statuses,
            "sql_per_op": round(counter.count / len(outbox), 2),
        }
    timings["load_after"] = _load()
    return {"ops": len(outbox), **timings}


def _engineers(app: Any, engineers: int, history: int) -> list[dict[str, str]]:
    from server.db import db
    from tests.factories import bearer, make_customer, make_site, make_technician, make_work_order

    with app.app_context(), db.unit_of_work(app) as session:
        customer = make_customer(session)
        site = make_site(session, customer=customer)
        tokens = []
        for _ in range(engineers):
            tech = make_technician(session)
            for _ in range(8):
                make_work_order(
                    session, customer=customer, site=site, status="assigned", assignee_id=tech.id
                )
            tokens.append(bearer(app, tech.user, ttl_s=3600))
        if history:
            # Months of finished work per engineer: what an index must see past.
            session.execute(
                text(
                    "INSERT INTO work_orders (id, number, tracking_code, channel, type, priority,"
                    " status, customer_id, site_id, summary, duration_minutes, triage,"
                    " required_skills, version, sla_state, assignee_id, created_at, updated_at,"
                    " closed_at, billable)"
                    " SELECT gen_random_uuid(), 'H-' || t.n || '-' || g,"
                    " md5(random()::text), 'phone', 'repair', 'medium', 'closed', :customer,"
                    " :site, 'old job', 60, '{}', '[]', 3, 'ok', t.id,"
                    " now() - (g || ' hours')::interval, now() - (g || ' hours')::interval,"
                    " now() - (g || ' hours')::interval, true"
                    " FROM (SELECT id, row_number() OVER () AS n FROM technicians) t,"
                    " generate_series(1, :history) g"
                ),
                {"customer": customer.id, "site": site.id, "history": history},
            )
        # An established day: the jobs were assigned a while ago, so deltas are mostly empty.
        session.execute(
            text(
                "UPDATE work_orders SET updated_at = now() - interval '10 minutes'"
                " WHERE updated_at > now() - interval '10 minutes'"
            )
        )
        session.execute(text("ANALYZE work_orders"))
    return tokens


def _summary(first: list[float], timings: list[float], wall: float) -> dict[str, Any]:
    timings.sort()
    first.sort()
    return {
        "requests": len(timings) + len(first),
        "per_second": round((len(timings) + len(first)) / wall, 1),
        "full_sync_p95_ms": round(first[max(int(len(first) * 0.95) - 1, 0)], 1),
        "delta_p50_ms": round(statistics.median(timings), 1),
        "delta_p95_ms": round(timings[max(int(len(timings) * 0.95) - 1, 0)], 1),
    }


def _run_phones(
    tokens: list[dict[str, str]], syncs: int, interval_s: float, get: Any
) -> dict[str, Any]:
    """Each phone: a full sync, then deltas with its cursor; `get(headers, cursor)` -> cursor."""
    timings: list[float] = []
    first: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens))

    def phone(headers: dict[str, str]) -> None:
        cursor = None
        barrier.wait()
        if interval_s:
            time.sleep(random.uniform(0, interval_s))
        for _ in range(syncs):
            started = time.perf_counter()
            try:
                next_cursor = get(headers, cursor)
            except Exception as exc:  # counted and shown: the target is no errors
                with lock:
                    errors.append(repr(exc)[:200])
                continue
            elapsed = time.perf_counter() - started
            with lock:
                (timings if cursor else first).append(elapsed * 1000)
            cursor = next_cursor
            if interval_s:
                time.sleep(max(0.0, interval_s - elapsed))

    threads = [threading.Thread(target=phone, args=(h,)) for h in tokens]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    figures = _summary(first, timings, time.perf_counter() - started)
    return {**figures, "errors": len(errors), **({"first_error": errors[0]} if errors else {})}


def sync_load(
    app: Any, counter: StatementCounter, *, engineers: int, syncs: int, interval_ms: int
) -> dict[str, Any]:
    tokens = _engineers(app, engineers, history=0)
    client_local = threading.local()

    def get(headers: dict[str, str], cursor: str | None) -> str:
        client = getattr(client_local, "client", None)
        if client is None:
            client = client_local.client = app.test_client()
        response = client.get(
            "/mobile/v1/sync", query_string={"cursor": cursor} if cursor else {}, headers=headers
        )
        return str(response.json["cursor"])

    load_before = _load()
    with counter.counting():
        figures = _run_phones(tokens, syncs, interval_ms / 1000, get)
    return {
        "server": "in-process",
        "engineers": engineers,
        "interval_ms": interval_ms,
        **figures,
        "sql_per_sync": round(counter.count / figures["requests"], 2),
        "load_before": load_before,
        "load_after": _load(),
    }


def start_gunicorn(url: str) -> tuple[subprocess.Popen[bytes], int]:
    """The API as `make run` serves it: 2 workers x 8 threads (gthread)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "FIELDLINE_LOG_LEVEL": "WARNING",
        "FIELDLINE_LOG_JSON": "false",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "8",
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "server.app:create_app()",
    ]
    proc = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)  # noqa: S603 - our own command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def sync_load_http(
    app: Any, url: str, *, engineers: int, syncs: int, interval_ms: int, history: int
) -> dict[str, Any]:
    tokens = _engineers(app, engineers, history=history)
    proc, port = start_gunicorn(url)
    local = threading.local()

    def get(headers: dict[str, str], cursor: str | None) -> str:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        path = "/mobile/v1/sync" + (
            f"?{urllib.parse.urlencode({'cursor': cursor})}" if cursor else ""
        )
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
        except (http.client.HTTPException, OSError):
            conn.close()  # the server closed a kept-alive connection: ask again on a new one
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"sync answered {response.status}: {body[:200]!r}")
        return str(json.loads(body)["cursor"])

    try:
        # Warm both workers (imports, connection pools) before timing.
        for headers in tokens[:8]:
            get(headers, None)
        load_before = _load()
        figures = _run_phones(tokens, syncs, interval_ms / 1000, get)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "server": "gunicorn 2x8 gthread",
        "engineers": engineers,
        "interval_ms": interval_ms,
        "history_per_engineer": history,
        **figures,
        "load_before": load_before,
        "load_after": _load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--engineers", type=int, default=50)
    parser.add_argument("--syncs", type=int, default=20)
    parser.add_argument("--gunicorn", action="store_true", help="sync over HTTP against gunicorn")
    parser.add_argument("--interval-ms", type=int, default=0, help="0: closed loop")
    parser.add_argument("--history", type=int, default=0, help="closed jobs per engineer")
    parser.add_argument("--no-replay", action="store_true")
    args = parser.parse_args()
    from server.app import create_app

    url = prepare()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "LOG_LEVEL": "WARNING",
            "LOG_JSON": False,
            "DB_POOL_SIZE": max(10, args.engineers // 2),
        }
    )
    counter = StatementCounter(app.extensions["db"].engine)
    if not args.no_replay:
        print(json.dumps({"replay": replay(app, args.ops, counter)}), flush=True)
    if args.gunicorn:
        figures = sync_load_http(
            app,
            url,
            engineers=args.engineers,
            syncs=args.syncs,
            interval_ms=args.interval_ms,
            history=args.history,
        )
    else:
        figures = sync_load(
            app, counter, engineers=args.engineers, syncs=args.syncs, interval_ms=args.interval_ms
        )
    print(json.dumps({"sync": figures}), flush=True)
    app.extensions["db"].engine.dispose()


if __name__ == "__main__":
    main()
