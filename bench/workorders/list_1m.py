"""Work-order list and board bounding-box queries on a million rows.

    python -m bench.workorders.list_1m [--rows 1000000] [--open 10000] [--repeat 100]

Builds (once) a database `fieldline_bench_wo` on the embedded cluster (or BENCH_DATABASE_URL's
server) with the demo city and `--rows` synthetic work orders, `--open` of them open, then
times typical list calls through the real app (routing, auth, query, serialisation; no
network) and prints p50/p95 per query. DESIGN §12 targets: filtered list p95 <= 100 ms,
board bounding-box query of 10k open jobs <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from sqlalchemy import create_engine, make_url, text

from server import embedded_pg, migrate
from server.config import PROJECT_ROOT, load_config

DB_NAME = "fieldline_bench_wo"

SEED_SQL = """
WITH sites AS (
    SELECT array_agg(id ORDER BY id) AS site_ids,
           array_agg(customer_id ORDER BY id) AS customer_ids,
           array_agg(location ORDER BY id) AS locations,
           count(*) AS n
    FROM sites
), phrases AS (
    SELECT ARRAY[
        '空调不制冷 AC not cooling', '卫生间漏水 water leak in bathroom', '电梯困人 lift stuck',
        '配电箱跳闸 breaker tripped', '冰箱无法开机 fridge will not power on',
        '网络中断 network outage', '热水器异响 water heater noise', '年度保养 annual maintenance',
        '安装新空调 install new AC', '咨询保修 warranty question'
    ] AS texts
)
INSERT INTO work_orders (
    id, number, tracking_code, channel, type, priority, status, customer_id, site_id, location,
    summary, description, duration_minutes, sla_state, version, created_at, updated_at,
    closed_at, required_skills, triage
)
SELECT
    gen_random_uuid(),
    'WO-' || to_char(created, 'YYMMDD') || '-' || lpad(g::text, 7, '0'),
    substr(md5(g::text || random()::text), 1, 16),
    (ARRAY['web','api','email','iot','phone','maintenance'])[1 + g % 6],
    (ARRAY['repair','repair','repair','install','maintenance','inspection',
           'consultation'])[1 + g % 7],
    (ARRAY['urgent','high','medium','medium','low'])[1 + (g / 7) % 5],
    CASE WHEN g <= :open_rows
         THEN (ARRAY['new','assigned','accepted','en_route','in_progress','on_hold',
                     'completed'])[1 + g % 7]
         ELSE (ARRAY['closed','closed','closed','closed','cancelled'])[1 + g % 5] END,
    s.customer_ids[1 + g % s.n],
    s.site_ids[1 + g % s.n],
    s.locations[1 + g % s.n],
    p.texts[1 + (g / 3) % 10],
    '第 ' || g || ' 号工单 synthetic order ' || g,
    60,
    (ARRAY['ok','ok','ok','at_risk','breached'])[1 + (g / 11) % 5],
    1,
    created,
    created,
    CASE WHEN g > :open_rows THEN created + interval '1 day' END,
    '[]'::jsonb,
    '{}'::jsonb
FROM generate_series(1, :rows) AS g,
     sites s, phrases p,
     LATERAL (SELECT now() - (g % 730) * interval '1 day' - (g % 1440) * interval '1 minute'
              AS created) c
"""


def _server_url() -> str:
    configured = os.environ.get("BENCH_DATABASE_URL")
    if configured:
        return configured
    return embedded_pg.ensure_cluster(PROJECT_ROOT, port=load_config().PG_PORT)


def prepare(rows: int, open_rows: int) -> str:
    server = make_url(_server_url())
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DB_NAME})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = server.set(database=DB_NAME).render_as_string(hide_password=False)
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        have = conn.scalar(text("SELECT count(*) FROM work_orders"))
    if have != rows:
        from server.app import create_app
        from server.db import db
        from server.demo.seed import seed_demo

        app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
        with app.app_context(), db.unit_of_work(app) as session:
            seed_demo(session, password="bench-password")
        app.extensions["db"].engine.dispose()
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM work_orders"))
            conn.execute(text(SEED_SQL), {"rows": rows, "open_rows": open_rows})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE work_orders"))
        print(f"seeded {rows} work orders in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return url


QUERIES = {
    "open urgent, newest first": "status=new&status=assigned&priority=urgent",
    "one customer's orders": "customer_id={customer_id}",
    "at-risk open orders by due time": "sla_state=at_risk&status=new&sort=resolve_due_at",
    "text search 漏水 (Chinese)": "q=漏水",
    "text search 'breaker' (English)": "q=breaker",
    "number lookup": "q={number}",
    "created in one week": "created_from=2026-01-05T00:00:00%2B08:00"
    "&created_to=2026-01-12T00:00:00%2B08:00",
    "bbox, open, page 50 (board)": "bbox=121.40,31.15,121.55,31.28&status=new&status=assigned"
    "&status=accepted&status=en_route&status=in_progress&status=on_hold",
    "bbox city-wide, open, page 200 (board)": "bbox=120.8,30.6,122.0,31.9&status=new"
    "&status=assigned&status=accepted&status=en_route&status=in_progress&status=on_hold"
    "&page_size=200",
}


def run(url: str, repeat: int) -> dict[str, Any]:
    from server.app import create_app
    from server.auth.models import User
    from server.db import db
    from tests.factories import bearer  # the same token minting the tests use

    app = create_app({"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "LOG_JSON": False})
    with app.app_context(), db.unit_of_work(app) as session:
        user = session.query(User).filter_by(email="dispatcher@fieldline.demo").one()
        headers = bearer(app, user)
        customer_id, number = session.execute(
            text("SELECT customer_id, number FROM work_orders ORDER BY created_at DESC LIMIT 1")
        ).one()
    client = app.test_client()
    results: dict[str, Any] = {}
    for label, query in QUERIES.items():
        path = "/api/v1/work-orders?" + query.format(customer_id=customer_id, number=number)
        if "page_size" not in path:
            path += "&page_size=50"
        for _ in range(3):  # warm caches and the connection pool
            assert client.get(path, headers=headers).status_code == 200
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.json
        total = json.loads(response.headers["X-Pagination"])["total"]
        timings.sort()
        results[label] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "rows_matching": total,
            "returned": len(response.json),
        }
    app.extensions["db"].engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=10_000, dest="open_rows")
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    url = prepare(args.rows, args.open_rows)
    results = run(url, args.repeat)
    for label, figures in results.items():
        print(
            f"{label:<42} p50 {figures['p50_ms']:>7} ms  p95 {figures['p95_ms']:>7} ms  "
            f"matching {figures['rows_matching']:>8}  returned {figures['returned']}"
        )


if __name__ == "__main__":
    main()
