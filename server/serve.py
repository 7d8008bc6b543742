"""`make run`: prepare the database, seed the demo city once, start gunicorn and the worker.

Stays in the foreground; Ctrl-C (or SIGTERM) stops every process it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server import migrate
from server.config import PROJECT_ROOT, load_config, resolve_database_url

DEMO_LOGINS = [
    ("admin", "admin@fieldline.demo"),
    ("dispatcher", "dispatcher@fieldline.demo"),
    ("agent", "agent@fieldline.demo"),
    ("technician", "tech1@fieldline.demo .. tech40@fieldline.demo"),
    ("warehouse", "warehouse@fieldline.demo"),
    ("manager", "manager@fieldline.demo"),
]


def _say(line: str) -> None:
    print(line, flush=True)  # the console the developer reads


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    started = time.monotonic()
    config = load_config()
    url = resolve_database_url(config)
    env = {**os.environ, "DATABASE_URL": url}
    if not config.SMTP_HOST and not config.MAIL_DIR:
        # No mail server configured: the demo's emails are written where they can be read.
        env["FIELDLINE_MAIL_DIR"] = str(PROJECT_ROOT / "var" / "mail")
    python = sys.executable
    flask = [python, "-m", "flask", "--app", "server.app:create_app"]

    _say("Fieldline: migrating the database ...")
    migrate.upgrade(url)
    subprocess.run([*flask, "demo", "seed", "--if-empty"], env=env, check=True, cwd=PROJECT_ROOT)

    bind = f"127.0.0.1:{port}"
    stream_port = int(os.environ.get("EVENTS_PORT", str(port + 1)))
    stream_bind = f"127.0.0.1:{stream_port}"
    # The API tells boards to open the event stream on its own process (and redirects there).
    web_env = {
        **env,
        "FIELDLINE_EVENTS_STREAM_URL": f"http://{stream_bind}/api/v1/events/stream",
    }
    procs = {
        "web": _gunicorn(
            "server.app:create_app()",
            bind=bind,
            workers=2,
            threads=8,
            graceful_timeout_s=5,
            env=web_env,
        ),
        # Server-Sent Events: every open board holds a thread for as long as it is open, so
        # the stream has its own process (one, so that event ids and the resume ring are one
        # sequence) with many cheap threads and one LISTEN connection shared by all of them.
        "stream": _gunicorn(
            "server.live.app:create_stream_app()",
            bind=stream_bind,
            workers=1,
            threads=256,
            graceful_timeout_s=2,
            env={**env, "FIELDLINE_EVENTS_STREAM_PROCESS": "1"},
        ),
        "worker": subprocess.Popen([python, "-m", "server.worker"], env=env, cwd=PROJECT_ROOT),
        # Optimizer runs are long and CPU-bound: their own worker, one run at a time.
        "optimizer": subprocess.Popen(
            [python, "-m", "server.worker", "--queue", "optimizer", "--concurrency", "1"],
            env=env,
            cwd=PROJECT_ROOT,
        ),
    }
    if not _wait_until_healthy(f"http://{bind}/healthz", procs["web"]):
        _say("the web server did not come up; see its log above")
        _stop(procs)
        return 1
    password = os.environ.get("DEMO_PASSWORD", "fieldline-demo")
    base = f"http://{bind}"
    _say("")
    _say(f"Fieldline is up in {time.monotonic() - started:.1f} s")
    _say(f"  home           {base}/")
    _say(f"  engineer app   {base}/app/      dispatcher board  {base}/board/")
    _say(f"  warehouse      {base}/warehouse/ customer request  {base}/request/")
    _say(f"  API docs       {base}/api/docs   OpenAPI  {base}/api/openapi.json")
    _say(f"  health         {base}/healthz    {base}/readyz")
    _say(f"  live events    http://{stream_bind}/api/v1/events/stream (its own process)")
    _say(f"Demo logins (password '{password}'):")
    for role, login in DEMO_LOGINS:
        _say(f"  {role:<11} {login}")
    _say("Press Ctrl-C to stop.")

    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                _say(f"{name} exited with {proc.returncode}; stopping")
                exit_code = proc.returncode or 1
                stopping = True
        time.sleep(0.3)
    _stop(procs)
    _say("Fieldline stopped.")
    return exit_code


def _gunicorn(
    app: str,
    *,
    bind: str,
    workers: int,
    threads: int,
    graceful_timeout_s: int,
    env: dict[str, str],
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--graceful-timeout",
            str(graceful_timeout_s),
            # Two gunicorns run side by side; neither needs the runtime control socket.
            "--no-control-socket",
            app,
        ],
        env=env,
        cwd=PROJECT_ROOT,
    )


def _wait_until_healthy(url: str, web: subprocess.Popen[bytes], timeout_s: float = 60) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
