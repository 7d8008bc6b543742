"""The embedded default cluster: real initdb/pg_ctl/psql on a temporary root and a free port.

Every cluster started here is stopped (and its var/ removed) by the fixture's finalizer, and
nothing touches the project's own var/pg.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from server import embedded_pg
from server.embedded_pg import (
    PROJECT_ROOT,
    cluster_url,
    ensure_cluster,
    ensure_postgis,
    find_pg_bindir,
    running_port,
    stop_cluster,
)

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _make_traversable(path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Give o+x to ``path`` and its ancestors inside pytest's temp root.

    As root, the server runs as the postgres user, which must be able to reach the cluster;
    pytest creates /tmp/pytest-of-root/... with mode 0700 (and tightens it again next run).
    """
    basetemp = tmp_path_factory.getbasetemp()
    top = basetemp.parent if basetemp.parent.name.startswith("pytest-of-") else basetemp
    for directory in [path, *path.parents]:
        if not directory.is_relative_to(top):
            break
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _psql(port: int, database: str, sql: str) -> str:
    result = subprocess.run(  # noqa: S603 - psql from the detected install
        [
            str(find_pg_bindir() / "psql"),
            "-X",
            "-w",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "fieldline",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("PG")},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _assert_extensions_work(port: int, database: str) -> None:
    assert _psql(port, database, "SELECT postgis_version()").startswith("3.")
    assert _psql(port, database, "SELECT ST_AsText(ST_MakePoint(121.47, 31.23))") == (
        "POINT(121.47 31.23)"
    )
    assert _psql(port, database, "SELECT similarity('dispatch', 'dispatcher') > 0.5") == "t"


@pytest.fixture
def pg_root(tmp_path: Path) -> Iterator[Path]:
    """A project root for a throwaway cluster; the cluster is stopped and removed afterwards."""
    try:
        bindir = find_pg_bindir()
        if os.geteuid() != 0:  # root would install PostGIS; others can only be told to
            ensure_postgis(bindir)
    except SystemExit as exc:
        pytest.skip(f"no usable PostgreSQL/PostGIS: {exc}")
    if os.geteuid() == 0:
        # As root the server runs as the postgres user, who must be able to reach the cluster.
        # Not under pytest's temp root: another pytest run (as root) tightens that to 0700.
        outside = Path(tempfile.mkdtemp(prefix="fieldline-pg-test-"))
        outside.chmod(0o711)
        root = outside / "project"
    else:
        outside = None
        root = tmp_path / "project"
    root.mkdir()
    try:
        yield root
    finally:
        try:
            stop_cluster(root)
        finally:
            # Data files may belong to the postgres user; we are root or that user then.
            subprocess.run(["rm", "-rf", str(root / "var")], check=False)  # noqa: S603, S607
            if outside is not None:
                shutil.rmtree(outside, ignore_errors=True)


def test_cluster_lifecycle(pg_root: Path) -> None:
    port = _free_port()
    url = ensure_cluster(pg_root, port=port)
    assert url == f"postgresql+psycopg2://fieldline@127.0.0.1:{port}/fieldline"
    pg = pg_root / "var" / "pg"
    assert (pg / "data" / "PG_VERSION").is_file()
    assert (pg / "log" / "postgresql.log").is_file()
    assert (pg / ".lock").is_file()
    assert _psql(port, "fieldline", "SHOW listen_addresses") == "127.0.0.1"
    assert _psql(port, "fieldline", "SHOW unix_socket_directories") == str(pg / "run")
    assert _psql(port, "fieldline", "SELECT current_user") == "fieldline"

    _assert_extensions_work(port, "fieldline")
    # template1 carries the extensions, so databases created later have them too
    _psql(port, "postgres", "CREATE DATABASE throwaway")
    _assert_extensions_work(port, "throwaway")

    started = time.perf_counter()
    assert ensure_cluster(pg_root, port=port) == url
    assert time.perf_counter() - started < 1.0
    assert running_port(pg_root) == port

    stop_cluster(pg_root)
    assert running_port(pg_root) is None
    stop_cluster(pg_root)  # already stopped: no-op

    assert ensure_cluster(pg_root, port=port) == url
    assert _psql(port, "throwaway", "SELECT postgis_version()").startswith("3.")

    # asking for another port restarts the running cluster there
    other = _free_port()
    assert ensure_cluster(pg_root, port=other) == cluster_url(other)
    assert running_port(pg_root) == other
    _assert_extensions_work(other, "throwaway")


def test_concurrent_first_use_through_cli(pg_root: Path) -> None:
    port = _free_port()
    base = [sys.executable, "-m", "server.embedded_pg"]
    root_args = ["--root", str(pg_root)]
    env = {k: v for k, v in os.environ.items() if k != "FIELDLINE_PG_PORT"}
    ensure = [*base, "ensure", *root_args, "--port", str(port)]
    with ExitStack() as stack:
        procs = [
            stack.enter_context(
                subprocess.Popen(  # noqa: S603 - our own CLI
                    ensure,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=PROJECT_ROOT,
                    env=env,
                )
            )
            for _ in range(2)
        ]
        outputs = [proc.communicate(timeout=600) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out == cluster_url(port) + "\n"  # the URL and nothing else on stdout
    _assert_extensions_work(port, "fieldline")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI
            [*base, *args, *root_args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            check=False,
        )

    status = cli("status")
    assert status.returncode == 0
    assert status.stdout.startswith(f"running: {cluster_url(port)}")
    assert cli("stop").returncode == 0
    assert cli("status").returncode == 3


def test_missing_postgis_tells_exactly_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(embedded_pg, "_pg_install_info", lambda _bindir: (tmp_path, "15"))
    monkeypatch.setattr(embedded_pg, "_apt_get", lambda: "/usr/bin/apt-get")
    monkeypatch.setattr(embedded_pg, "_is_root", lambda: False)

    with pytest.raises(SystemExit) as excinfo:
        ensure_postgis(Path("/usr/lib/postgresql/15/bin"))

    assert str(excinfo.value) == (
        "PostGIS is missing: run 'sudo apt-get install postgresql-15-postgis-3' "
        "(or set DATABASE_URL)"
    )


def test_missing_postgis_is_installed_with_apt_as_root(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(embedded_pg, "_pg_install_info", lambda _bindir: (tmp_path, "15"))
    monkeypatch.setattr(embedded_pg, "_apt_get", lambda: "/usr/bin/apt-get")
    monkeypatch.setattr(embedded_pg, "_is_root", lambda: True)
    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_run(cmd: list[str], **kwargs: object) -> None:
        env = kwargs.get("env")
        assert isinstance(env, dict)
        calls.append(([str(c) for c in cmd], env))
        if "install" in cmd:
            (tmp_path / "extension").mkdir()
            (tmp_path / "extension" / "postgis.control").touch()

    monkeypatch.setattr(embedded_pg, "_run", fake_run)
    ensure_postgis(Path("/usr/lib/postgresql/15/bin"))

    assert [cmd[1:2] for cmd, _ in calls] == [["update"], ["install"]]
    assert calls[1][0][-1] == "postgresql-15-postgis-3"
    assert "-y" in calls[1][0]
    assert all(env == {"DEBIAN_FRONTEND": "noninteractive"} for _, env in calls)


def test_bindir_falls_back_to_highest_debian_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version in ("9.6", "13", "15", "16"):
        (tmp_path / version / "bin").mkdir(parents=True)
        if version != "16":  # client-only install: no initdb
            (tmp_path / version / "bin" / "initdb").touch()
    monkeypatch.setattr(embedded_pg, "_PG_LIB", tmp_path)
    monkeypatch.setattr(embedded_pg, "_which", lambda _name: None)

    assert find_pg_bindir() == tmp_path / "15" / "bin"


def test_untraversable_ancestor_is_named(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    _make_traversable(tmp_path, tmp_path_factory)
    private = tmp_path / "private"
    project = private / "project"
    project.mkdir(parents=True)
    private.chmod(0o700)
    stranger = pwd.struct_passwd(
        ("stranger", "x", 54321, 54321, "", "/nonexistent", "/usr/sbin/nologin")
    )

    assert embedded_pg._untraversable_dir(project, stranger) == private
    private.chmod(0o711)
    assert embedded_pg._untraversable_dir(project, stranger) is None


def test_start_failure_shows_log_and_stale_pid_file_is_survived(pg_root: Path) -> None:
    port = _free_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(SystemExit) as excinfo:
            ensure_cluster(pg_root, port=port)
    message = str(excinfo.value)
    assert "PostgreSQL did not start" in message
    assert "postgresql.log ---" in message
    assert "Address already in use" in message

    url = ensure_cluster(pg_root, port=port)
    data = pg_root / "var" / "pg" / "data"
    pidfile = (data / "postmaster.pid").read_text().splitlines()
    socket_lock = pg_root / "var" / "pg" / "run" / f".s.PGSQL.{port}.lock"
    lock_lines = socket_lock.read_text().splitlines()
    stop_cluster(pg_root)

    # After a reboot the recorded PID may belong to an unrelated process of the same user
    # (pg_ctl status then claims the server runs, and the postmaster refuses to start).
    owner, group = data.stat().st_uid, data.stat().st_gid
    as_root = os.geteuid() == 0
    with subprocess.Popen(
        ["/bin/sleep", "60"], user=owner if as_root else None, group=group if as_root else None
    ) as unrelated:
        try:
            for path, lines in ((data / "postmaster.pid", pidfile), (socket_lock, lock_lines)):
                path.write_text("\n".join([str(unrelated.pid), *lines[1:]]) + "\n")
                os.chown(path, owner, group)
            assert running_port(pg_root) is None
            assert ensure_cluster(pg_root, port=port) == url
            assert running_port(pg_root) == port
        finally:
            unrelated.kill()


def test_initdb_falls_back_to_no_locale(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append([str(c) for c in cmd])
        if "--locale=C.UTF-8" in calls[-1]:
            return subprocess.CompletedProcess(
                cmd, 1, "", 'initdb: error: invalid locale name "C.UTF-8"'
            )
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(embedded_pg, "_run", fake_run)
    embedded_pg._initdb(Path("/pg/bin"), embedded_pg._layout(tmp_path), None)

    assert [cmd[-1] for cmd in calls] == ["--locale=C.UTF-8", "--no-locale"]
    assert calls[1][:4] == ["/pg/bin/initdb", "-D", str(tmp_path.resolve() / "var/pg/data"), "-U"]
