"""The engineer app's API under load: an offline outbox replayed, and sync with many phones.

    python -m bench.mobile.replay [--ops 1000] [--engineers 50] [--syncs 20]

Builds a fresh database `fieldline_bench_mobile` on the embedded cluster (or
BENCH_DATABASE_URL's server). Then, through the real app (routing, auth, validation, one
transaction per batch; no network):

- replay: one engineer's outbox of `--ops` ops (whole jobs: accept, travel, arrive, note,
  resolution, complete), sent in batches of 100 as the app does, timed end to end; then the
  same outbox again, which must change nothing (every op answered `duplicate`);
- sync: `--engineers` engineers with 8 jobs each (assigned ten minutes ago) sync at once,
  `--syncs` times each: a full sync, then deltas with their cursor; p50/p95 per request.

DESIGN §12 targets: 1,000 queued ops applied in <= 5 s; sync p95 <= 40 ms at 50 engineers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import uuid
from typing import Any

from sqlalchemy import create_engine, make_url, text

from server import embedded_pg, migrate
from server.config import PROJECT_ROOT, load_config

DB_NAME = "fieldline_bench_mobile"
STEPS = ("accept", "start_travel", "arrive", "note", "resolution", "complete")


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


def _payload(step: str) -> dict[str, Any]:
    if step == "note":
        return {"body": "客户确认故障 customer confirmed the fault"}
    if step in ("resolution", "complete"):
        return {"resolution": "更换电容 replaced the capacitor"}
    return {}


def replay(app: Any, ops_count: int) -> dict[str, Any]:
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
    timings = {}
    for label in ("first replay", "second replay"):
        started = time.perf_counter()
        statuses: dict[str, int] = {}
        for i in range(0, len(outbox), 100):
            response = client.post(
                "/mobile/v1/ops", json={"ops": outbox[i : i + 100]}, headers=headers
            )
            for result in response.json["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        timings[label] = {"seconds": round(time.perf_counter() - started, 2), "statuses": statuses}
    return {"ops": len(outbox), **timings}


def sync_load(app: Any, engineers: int, syncs: int) -> dict[str, Any]:
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
        # An established day: the jobs were assigned a while ago, so deltas are mostly empty.
        session.execute(text("UPDATE work_orders SET updated_at = now() - interval '10 minutes'"))
    timings: list[float] = []
    first: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(engineers)

    def phone(headers: dict[str, str]) -> None:
        client = app.test_client()
        cursor = None
        barrier.wait()
        for _ in range(syncs):
            started = time.perf_counter()
            response = client.get(
                "/mobile/v1/sync",
                query_string={"cursor": cursor} if cursor else {},
                headers=headers,
            )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (timings if cursor else first).append(elapsed)
            cursor = response.json["cursor"]

    threads = [threading.Thread(target=phone, args=(h,)) for h in tokens]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    timings.sort()
    first.sort()
    return {
        "engineers": engineers,
        "requests": len(timings) + len(first),
        "per_second": round((len(timings) + len(first)) / wall, 1),
        "full_sync_p95_ms": round(first[int(len(first) * 0.95) - 1], 1),
        "delta_p50_ms": round(statistics.median(timings), 1),
        "delta_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--engineers", type=int, default=50)
    parser.add_argument("--syncs", type=int, default=20)
    args = parser.parse_args()
    from server.app import create_app

    url = prepare()
    app = create_app(
        {
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "LOG_JSON": False,
            "DB_POOL_SIZE": max(10, args.engineers // 2),
        }
    )
    print(json.dumps({"replay": replay(app, args.ops)}))
    print(json.dumps({"sync": sync_load(app, args.engineers, args.syncs)}))
    app.extensions["db"].engine.dispose()


if __name__ == "__main__":
    main()
