"""Reservation throughput and latency with concurrent clients.

    python -m bench.inventory.reservations [--clients 50] [--requests 1000]

Builds a fresh database `fieldline_bench_inv` on the embedded cluster (or BENCH_DATABASE_URL's
server): a warehouse user, one warehouse, 200 parts with plenty of stock, 200 open work orders.
Then `--clients` threads each send reservations (`POST /api/v1/inventory/reservations`, request
and reserve in one call) through the real app (routing, auth, validation, row locks, commit;
no network) until `--requests` are done, in two scenarios:

- hot: every reservation is for the same part at the same warehouse (one row lock, serialised);
- spread: each is for a random one of the 200 parts (locks rarely collide).

Prints reservations per second and p50/p95 latency per scenario as JSON, and checks that the
levels still agree with the ledger afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import statistics
import threading
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, make_url, text

from server import embedded_pg, migrate
from server.config import PROJECT_ROOT, load_config

DB_NAME = "fieldline_bench_inv"


def _server_url() -> str:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        return configured
    return embedded_pg.ensure_cluster(PROJECT_ROOT, port=load_config().PG_PORT)


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


def arrange(app: Any) -> dict[str, Any]:
    from server.db import db
    from tests.factories import (
        bearer,
        make_customer,
        make_part,
        make_site,
        make_user,
        make_warehouse,
        make_work_order,
        stock,
    )

    with app.app_context(), db.unit_of_work(app) as session:
        keeper = make_user(session, role="warehouse")
        warehouse = make_warehouse(session)
        parts = [make_part(session) for _ in range(200)]
        for part in parts:
            stock(session, part=part, location=warehouse, quantity=100_000)
        customer = make_customer(session)
        site = make_site(session, customer=customer)
        orders = [make_work_order(session, customer=customer, site=site) for _ in range(200)]
        return {
            "headers": bearer(app, keeper, ttl_s=3600),
            "parts": [str(p.id) for p in parts],
            "orders": [str(o.id) for o in orders],
        }


def scenario(
    app: Any, data: dict[str, Any], *, hot: bool, clients: int, requests: int
) -> dict[str, Any]:
    work: queue.Queue[int] = queue.Queue()
    for n in range(requests):
        work.put(n)
    timings: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    rng = random.Random(7)
    picks = [data["parts"][0] if hot else rng.choice(data["parts"]) for _ in range(requests)]

    def client_loop() -> None:
        client = app.test_client()
        while True:
            try:
                n = work.get_nowait()
            except queue.Empty:
                return
            body = {
                "work_order_id": data["orders"][n % len(data["orders"])],
                "part_id": picks[n],
                "quantity": 1,
            }
            started = time.perf_counter()
            response = client.post(
                "/api/v1/inventory/reservations", json=body, headers=data["headers"]
            )
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if response.status_code != 201:
                    failures.append(response.status_code)

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    timings.sort()
    return {
        "scenario": "hot part" if hot else "spread parts",
        "clients": clients,
        "reservations": requests - len(failures),
        "failures": len(failures),
        "per_second": round(requests / wall, 1),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    from server.app import create_app
    from server.db import db
    from server.inventory.service import check_ledger

    url = prepare()
    app = create_app(
        {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_JSON": False,
         "DB_POOL_SIZE": max(10, args.clients // 2)}
    )  # fmt: skip
    data = arrange(app)
    for hot in (True, False):
        print(json.dumps(scenario(app, data, hot=hot, clients=args.clients,
                                  requests=args.requests)))  # fmt: skip
    with app.app_context(), db.unit_of_work(app) as session:
        differences = check_ledger(session)
        reserved = session.execute(text("SELECT sum(reserved) FROM stock_levels")).scalar()
    print(
        json.dumps(
            {"ledger_differences": len(differences), "reserved_total": str(Decimal(reserved))}
        )
    )
    app.extensions["db"].engine.dispose()


if __name__ == "__main__":
    main()
