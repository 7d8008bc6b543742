"""The live event stream under load: events per second to 100 open boards, and commit-to-client
latency.

    python -m bench.live.stream [--boards 100] [--rates 50,100,200,400] [--seconds 10] [--batch 5]

Builds a fresh database `fieldline_bench_live` on the embedded cluster (or BENCH_DATABASE_URL's
server) and starts the stream exactly as `make run` does (its own gunicorn process, one gthread
worker with 256 threads, `server.live.app:create_stream_app()`). A client process opens
`--boards` streams (raw sockets, one asyncio loop) and waits for every `hello`. For each rate,
a writer commits work-order changes through the real ORM path (the after-flush NOTIFY), `--batch`
changes per transaction, paced to the rate for `--seconds`, noting the time just before each
commit. Every board records when each change's event arrived. Reported per rate: events sent,
the share delivered to every board, delivered events/s summed over all boards, resets, and
commit-to-receipt latency p50/p95/p99/max (the client clock and the writer's are the same
machine's). DESIGN target: every board has a change within 2 s of its commit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, select, text

from server import embedded_pg, migrate
from server.config import PROJECT_ROOT, load_config

DB_NAME = "fieldline_bench_live"
SECRET = "bench-live-secret-key-that-is-long-enough-for-hs256"


def _server_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or embedded_pg.ensure_cluster(
        PROJECT_ROOT, port=load_config().PG_PORT
    )


def prepare(orders: int) -> tuple[str, str, list[str]]:
    """A fresh database with a dispatcher and `orders` open work orders: (url, token, ids)."""
    server = make_url(_server_url())
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    url = server.set(database=DB_NAME).render_as_string(hide_password=False)
    migrate.upgrade(url)

    from server.actors import Actor
    from server.app import create_app
    from server.auth import tokens
    from server.auth.models import User
    from server.customers.models import Customer
    from server.db import db, utcnow
    from server.workorders import service as workorders_service

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    with app.app_context(), db.unit_of_work(app) as session:
        dispatcher = User(
            name="Bench dispatcher",
            email="bench-dispatcher@example.test",
            role="dispatcher",
            password_hash="x",
            active=True,
        )
        customer = Customer(name="Bench customer", tier="standard", active=True)
        session.add_all([dispatcher, customer])
        session.flush()
        actor = Actor(kind="user", role="agent", name="bench")
        ids = []
        for n in range(orders):
            order = workorders_service.create_work_order(
                session,
                actor=actor,
                customer_id=customer.id,
                summary=f"bench order {n}",
                now=utcnow(),
                timezone="Asia/Shanghai",
            )
            ids.append(str(order.id))
        token = tokens.issue_access_token(
            user_id=dispatcher.id,
            role="dispatcher",
            secret=SECRET,
            ttl_s=24 * 3600,
            now=utcnow(),
            audience="events",
        )
    app.extensions["db"].engine.dispose()
    return url, token, ids


def start_stream_server(url: str) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "FIELDLINE_LOG_LEVEL": "WARNING",
        "FIELDLINE_EVENTS_HEARTBEAT_S": "5",
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    command = [
        gunicorn,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--threads",
        "256",
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "2",
        "--log-level",
        "warning",
        "server.live.app:create_stream_app()",
    ]
    proc = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)  # noqa: S603 - our own command
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the stream server did not come up")


# --- the boards (their own process) ---------------------------------------------------------


async def _board(
    port: int, token: str, index: int, seen: dict[tuple[str, int], list[float]], state: dict
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    # HTTP/1.0: the body comes unchunked, as written.
    writer.write(
        f"GET /api/v1/events/stream?token={token} HTTP/1.0\r\nHost: bench\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode()
    if " 200 " not in status_line:
        raise SystemExit(f"board {index}: {status_line}")
    buffer = b""
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            return
        now = time.time()
        buffer += chunk
        *frames, buffer = buffer.split(b"\n\n")
        for frame in frames:
            if b"event: work_order" in frame:
                data = frame[frame.index(b"data: ") + 6 :]
                delta = json.loads(data)
                seen.setdefault((delta["id"], delta["version"]), []).append(now)
            elif b"event: hello" in frame:
                state["hello"] += 1
            elif b"event: reset" in frame:
                state["resets"] += 1


def boards_process(port: int, token: str, boards: int, ready: Any, stop: Any, out: Any) -> None:
    seen: dict[tuple[str, int], list[float]] = {}
    state = {"hello": 0, "resets": 0}

    async def run() -> None:
        tasks = [asyncio.create_task(_board(port, token, i, seen, state)) for i in range(boards)]
        while state["hello"] < boards:
            await asyncio.sleep(0.05)
            for task in tasks:
                if task.done() and task.exception():
                    raise task.exception()  # type: ignore[misc]
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()

    asyncio.run(run())
    out.put({"seen": {f"{k[0]}|{k[1]}": v for k, v in seen.items()}, **state})


# --- the writer -----------------------------------------------------------------------------


def write(url: str, ids: list[str], *, rate: float, seconds: float, batch: int) -> dict:
    from server.app import create_app
    from server.db import db
    from server.workorders.models import WorkOrder

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    committed: dict[str, float] = {}
    with app.app_context():
        session = db.sessionmaker_for(app)()
        orders = list(
            session.scalars(select(WorkOrder).where(WorkOrder.id.in_([uuid.UUID(i) for i in ids])))
        )
        session.commit()
        started = time.monotonic()
        interval = batch / rate
        n = 0
        priorities = ("urgent", "high", "medium", "low")
        while time.monotonic() - started < seconds:
            due = started + n * interval
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            touched = []
            for k in range(batch):
                order = orders[(n * batch + k) % len(orders)]
                order.priority = priorities[(order.version + 1) % 4]
                order.version += 1
                order.updated_at = datetime.now(UTC)
                touched.append(order)
            session.flush()
            at = time.time()
            session.commit()
            for order in touched:
                committed[f"{order.id}|{order.version}"] = at
            n += 1
        elapsed = time.monotonic() - started
        session.close()
    app.extensions["db"].engine.dispose()
    return {"committed": committed, "elapsed": elapsed}


def measure(url: str, token: str, port: int, ids: list[str], args: argparse.Namespace, rate: float):
    ctx = mp.get_context("spawn")
    ready, stop, out = ctx.Event(), ctx.Event(), ctx.Queue()
    boards = ctx.Process(target=boards_process, args=(port, token, args.boards, ready, stop, out))
    boards.start()
    if not ready.wait(60):
        boards.kill()
        raise SystemExit("the boards did not all connect")
    written = write(url, ids, rate=rate, seconds=args.seconds, batch=args.batch)
    time.sleep(args.drain_s)
    stop.set()
    result = out.get(timeout=60)
    boards.join(timeout=10)
    committed = written["committed"]
    latencies = []
    delivered = 0
    for key, at in committed.items():
        for received in result["seen"].get(key, []):
            latencies.append(received - at)
            delivered += 1
    expected = len(committed) * args.boards
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "boards": args.boards,
        "target_rate": rate,
        "sent": len(committed),
        "sent_per_s": round(len(committed) / written["elapsed"], 1),
        "delivered_share": round(delivered / expected, 4) if expected else 0,
        "delivered_per_s_all_boards": round(delivered / written["elapsed"], 0),
        "resets": result["resets"],
        "latency_ms_p50": pct(0.50) if latencies else None,
        "latency_ms_p95": pct(0.95) if latencies else None,
        "latency_ms_p99": pct(0.99) if latencies else None,
        "latency_ms_max": round(latencies[-1] * 1000, 1) if latencies else None,
        "within_2s": round(sum(1 for x in latencies if x <= 2.0) / expected, 4) if expected else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boards", type=int, default=100)
    parser.add_argument("--rates", default="50,100,200,400")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--batch", type=int, default=5, help="changes per committed transaction")
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--drain-s", type=float, default=3)
    args = parser.parse_args()
    url, token, ids = prepare(args.orders)
    proc, port = start_stream_server(url)
    try:
        rows = []
        for rate in (float(r) for r in args.rates.split(",")):
            row = measure(url, token, port, ids, args, rate)
            rows.append(row)
            print(json.dumps(row), flush=True)  # one JSON line per rate
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(
        "\n| target ev/s | sent ev/s | delivered | to all boards ev/s | p50 ms | p95 ms | "
        "p99 ms | max ms | resets |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['target_rate']:.0f} | {r['sent_per_s']} | {r['delivered_share']:.2%} | "
            f"{r['delivered_per_s_all_boards']:.0f} | {r['latency_ms_p50']} | "
            f"{r['latency_ms_p95']} | {r['latency_ms_p99']} | {r['latency_ms_max']} | "
            f"{r['resets']} |"
        )


if __name__ == "__main__":
    main()
