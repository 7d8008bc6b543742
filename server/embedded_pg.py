"""The embedded default database: a project-local PostgreSQL + PostGIS cluster.

When DATABASE_URL is unset, Fieldline keeps its data in a cluster under ``<root>/var/pg``,
created and started on first use::

    var/pg/.lock               flock that serialises concurrent first use
    var/pg/data/               the cluster (initdb -U fieldline, trust auth)
    var/pg/run/                unix socket directory
    var/pg/log/postgresql.log  server log (pg_ctl -l)

The server listens on 127.0.0.1 only, with trust authentication: any local user of the
machine can connect as the ``fieldline`` superuser. That is the point of a zero-setup
development default; deployments set DATABASE_URL.

Only the standard library is used, and nothing else from ``server`` is imported, so that
``python -m server.embedded_pg ensure`` works from a bare checkout and from scripts, and so
that config loading can call it without import cycles. SQL goes through ``psql`` from the
same PostgreSQL install, so no Python driver is needed either.

CLI::

    python -m server.embedded_pg ensure [--root DIR] [--port N]   # prints the URL on stdout
    python -m server.embedded_pg status [--root DIR]
    python -m server.embedded_pg stop   [--root DIR]
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import logging
import os
import pwd
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "DB_NAME",
    "DB_USER",
    "DEFAULT_PORT",
    "PROJECT_ROOT",
    "EmbeddedPgError",
    "cluster_url",
    "ensure_cluster",
    "ensure_postgis",
    "find_pg_bindir",
    "main",
    "running_port",
    "stop_cluster",
]

log = logging.getLogger(__name__)

DEFAULT_PORT: Final = 54329
DB_NAME: Final = "fieldline"
DB_USER: Final = "fieldline"
EXTENSIONS: Final = ("postgis", "pg_trgm")
PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent

# Debian/Ubuntu keep one directory per installed major version here.
_PG_LIB = Path("/usr/lib/postgresql")
# sizeof(sockaddr_un.sun_path) on Linux is 108, including the terminating NUL.
_SOCKET_PATH_MAX: Final = 107
_START_TIMEOUT_S: Final = 120
_FALLBACK_SERVICE_USER: Final = "fieldline"


class EmbeddedPgError(SystemExit):
    """A failure the user has to act on, with a message that says what to do.

    It is a SystemExit so that, uncaught, it ends a CLI or a dev server with that message
    and status 1 instead of a traceback; callers that can recover may catch it by name.
    """


@dataclass(frozen=True)
class _Layout:
    pgdir: Path

    @property
    def data(self) -> Path:
        return self.pgdir / "data"

    @property
    def run(self) -> Path:
        return self.pgdir / "run"

    @property
    def log_dir(self) -> Path:
        return self.pgdir / "log"

    @property
    def logfile(self) -> Path:
        return self.log_dir / "postgresql.log"

    @property
    def lock(self) -> Path:
        return self.pgdir / ".lock"


def _layout(root: Path) -> _Layout:
    return _Layout(root.resolve() / "var" / "pg")


def cluster_url(port: int) -> str:
    """The SQLAlchemy URL of the embedded cluster's ``fieldline`` database."""
    return f"postgresql+psycopg2://{DB_USER}@127.0.0.1:{port}/{DB_NAME}"


# --------------------------------------------------------------------------- processes


def _is_root() -> bool:
    return os.geteuid() == 0


def _which(name: str) -> str | None:
    return shutil.which(name)


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment without PG* variables.

    A developer's PGHOST/PGPORT/PGDATA/PGOPTIONS/PGSERVICE... would otherwise silently
    redirect pg_ctl or psql (or the server pg_ctl starts) away from the embedded cluster.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if extra:
        env.update(extra)
    return env


def _run(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    as_user: pwd.struct_passwd | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command with captured output, optionally as another (unprivileged) user.

    Output is always captured: stdout of the CLI carries only the URL. ``check`` raises
    EmbeddedPgError with the tail of the command's output.
    """
    args = [os.fspath(c) for c in cmd]
    full_env = _clean_env(env)
    if as_user is not None:
        full_env.update(HOME=as_user.pw_dir, USER=as_user.pw_name, LOGNAME=as_user.pw_name)
    log.debug("running %s%s", shlex.join(args), f" as {as_user.pw_name}" if as_user else "")
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=full_env,
        cwd=cwd,
        check=False,
        user=as_user.pw_uid if as_user else None,
        group=as_user.pw_gid if as_user else None,
        # The user's own supplementary groups, not root's.
        extra_groups=os.getgrouplist(as_user.pw_name, as_user.pw_gid) if as_user else None,
    )
    if check and result.returncode != 0:
        raise EmbeddedPgError(
            f"{Path(args[0]).name} failed (exit {result.returncode}): "
            f"{_tail_text(result.stderr or result.stdout, 10)}"
        )
    return result


def _tail_text(text: str, lines: int) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"


def _tail_file(path: Path, lines: int = 25) -> str:
    try:
        return _tail_text(path.read_text(errors="replace"), lines)
    except OSError as exc:
        return f"(cannot read {path}: {exc.strerror})"


# --------------------------------------------------------------------------- binaries


def find_pg_bindir() -> Path:
    """Directory of the PostgreSQL server binaries (initdb, pg_ctl, postgres, psql).

    ``pg_config`` on PATH comes from libpq-dev on Debian and may belong to a client-only
    version with no server installed, hence the initdb check and the fallback to the highest
    ``/usr/lib/postgresql/<major>/bin``.
    """
    pg_config = _which("pg_config")
    if pg_config:
        result = _run([pg_config, "--bindir"], check=False)
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").is_file():
            return bindir
    candidates: list[tuple[tuple[int, ...], Path]] = []
    for bindir in _PG_LIB.glob("*/bin"):
        try:
            version = tuple(int(part) for part in bindir.parent.name.split("."))
        except ValueError:
            continue
        if (bindir / "initdb").is_file():
            candidates.append((version, bindir))
    if candidates:
        return max(candidates)[1]
    raise EmbeddedPgError(
        "PostgreSQL server is not installed (no initdb found): "
        "run 'sudo apt-get install postgresql postgresql-contrib' (or set DATABASE_URL)"
    )


@functools.lru_cache(maxsize=8)
def _pg_install_info(bindir: Path) -> tuple[Path, str]:
    """(sharedir, major version) of the install whose binaries are in ``bindir``.

    Cached: it cannot change while we run, and the warm path of ensure_cluster asks for it
    on every call.
    """
    pg_config = bindir / "pg_config"
    exe = str(pg_config) if pg_config.is_file() else _which("pg_config")
    if exe is None:
        raise EmbeddedPgError(f"pg_config not found in {bindir} or on PATH")
    lines = _run([exe, "--sharedir", "--version"]).stdout.splitlines()
    match = re.search(r"PostgreSQL (\d+)(?:\.(\d+))?", lines[1] if len(lines) > 1 else "")
    if not match:
        raise EmbeddedPgError(f"cannot tell the PostgreSQL version from {exe} --version")
    major = match.group(1)
    if int(major) < 10 and match.group(2):  # 9.6 and older: the major version has two parts
        major = f"{major}.{match.group(2)}"
    return Path(lines[0].strip()), major


def _apt_get() -> str | None:
    return _which("apt-get")


def ensure_postgis(bindir: Path) -> None:
    """Make sure the PostGIS extension is installed for the PostgreSQL in ``bindir``.

    As root, installs Debian's ``postgresql-<major>-postgis-3``; otherwise exits with one
    line telling the user what to install. (pg_trgm ships with the server on Debian.)
    """
    sharedir, major = _pg_install_info(bindir)
    control = sharedir / "extension" / "postgis.control"
    if control.is_file():
        return
    package = f"postgresql-{major}-postgis-3"
    apt_get = _apt_get()
    if apt_get is None:
        raise EmbeddedPgError(
            f"PostGIS is missing: install PostGIS 3 for PostgreSQL {major} "
            f"(expected {control}) (or set DATABASE_URL)"
        )
    if not _is_root():
        raise EmbeddedPgError(
            f"PostGIS is missing: run 'sudo apt-get install {package}' (or set DATABASE_URL)"
        )
    log.warning("PostGIS is missing; installing %s with apt-get (this takes a while)", package)
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    _run([apt_get, "update"], env=apt_env)
    # Wait for, rather than fail on, another apt/dpkg run holding the lock.
    _run([apt_get, "install", "-y", "-o", "DPkg::Lock::Timeout=600", package], env=apt_env)
    if not control.is_file():
        raise EmbeddedPgError(f"PostGIS is still missing after installing {package}: no {control}")


def _matching_bindir(bindir: Path, data: Path) -> Path:
    """Binaries able to run an existing cluster: its major version must match.

    After a distribution upgrade the newest PostgreSQL may no longer be the one that
    created var/pg/data; the old one is usually still installed alongside.
    """
    version_file = data / "PG_VERSION"
    if not version_file.is_file():
        return bindir
    wanted = version_file.read_text().strip()
    _, have = _pg_install_info(bindir)
    if wanted == have:
        return bindir
    alternative = _PG_LIB / wanted / "bin"
    if (alternative / "postgres").is_file():
        log.info("using PostgreSQL %s from %s: %s was created by it", wanted, alternative, data)
        return alternative
    raise EmbeddedPgError(
        f"{data} was created by PostgreSQL {wanted} but only {have} is available ({bindir}): "
        f"run 'sudo apt-get install postgresql-{wanted}', or move {data} aside to start afresh"
    )


# --------------------------------------------------------------------------- users and files


def _service_user() -> pwd.struct_passwd:
    """The unprivileged account root runs initdb/pg_ctl as (both refuse to run as root)."""
    for name in ("postgres", _FALLBACK_SERVICE_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    useradd = _which("useradd") or "/usr/sbin/useradd"
    log.info("creating system user %s to run the embedded PostgreSQL", _FALLBACK_SERVICE_USER)
    _run(
        [
            useradd,
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
            "--shell",
            "/usr/sbin/nologin",
            _FALLBACK_SERVICE_USER,
        ]
    )
    return pwd.getpwnam(_FALLBACK_SERVICE_USER)


def _data_owner(data: Path) -> pwd.struct_passwd | None:
    """The non-root account owning an existing data dir, if it has a passwd entry."""
    try:
        uid = data.stat().st_uid
        return None if uid == 0 else pwd.getpwuid(uid)
    except (OSError, KeyError):
        return None


def _untraversable_dir(path: Path, user: pwd.struct_passwd) -> Path | None:
    """The first directory from / down to ``path`` that ``user`` may not search, if any.

    The postmaster runs as ``user`` and opens the data, socket and log directories by
    absolute path, so it needs +x on every ancestor. Checked from the mode bits (ACLs are
    not considered), which is what matters for the usual /root or 0700 home directories.
    """
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for directory in [*reversed(path.parents), path]:
        st = directory.stat()
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return directory
    return None


def _chown_tree(top: Path, user: pwd.struct_passwd) -> None:
    os.chown(top, user.pw_uid, user.pw_gid, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(top):
        for name in (*dirnames, *filenames):
            os.chown(Path(dirpath, name), user.pw_uid, user.pw_gid, follow_symlinks=False)


def _make_pgdir(layout: _Layout) -> None:
    var = layout.pgdir.parent
    if not var.exists():
        var.mkdir(parents=True, exist_ok=True)
        # Explicit mode, not the umask's: the service user must traverse var/ when we are root.
        var.chmod(0o755)
    layout.pgdir.mkdir(exist_ok=True)


def _prepare_ownership(layout: _Layout) -> pwd.struct_passwd | None:
    """Decide who runs the server and make var/pg usable by them.

    Returns None when we are not root (everything runs as ourselves). As root, returns the
    account to run initdb/pg_ctl as: the existing owner of var/pg/data if that is a normal
    account (so a cluster a developer created is not taken away from them), else
    ``postgres``, else a ``fieldline`` system user created on the spot.
    """
    layout.run.mkdir(exist_ok=True)
    layout.log_dir.mkdir(exist_ok=True)
    if not _is_root():
        if layout.data.exists() and layout.data.stat().st_uid != os.geteuid():
            uid = layout.data.stat().st_uid
            owner = _data_owner(layout.data)
            raise EmbeddedPgError(
                f"{layout.data} belongs to {owner.pw_name if owner else f'uid {uid}'}, not you: "
                "run as that user or as root (or set DATABASE_URL)"
            )
        return None
    user = _data_owner(layout.data) or _service_user()
    # var/pg itself is handed to the user below; everything above it must let them through.
    blocked = _untraversable_dir(layout.pgdir.parent, user)
    if blocked is not None:
        raise EmbeddedPgError(
            f"PostgreSQL runs as user {user.pw_name}, who cannot enter {blocked}: "
            f"run 'chmod o+x {blocked}' or move the project (or set DATABASE_URL)"
        )
    paths = (layout.pgdir, layout.run, layout.log_dir, layout.data, layout.logfile)
    if any(p.exists() and p.stat().st_uid != user.pw_uid for p in paths):
        log.info("handing %s to user %s", layout.pgdir, user.pw_name)
        _chown_tree(layout.pgdir, user)
    return user


@contextmanager
def _locked(layout: _Layout) -> Iterator[None]:
    """Hold an exclusive flock on var/pg/.lock (serialises e.g. two app processes starting).

    Opened read-only with O_CREAT so a lock file root created stays usable by others.
    Python's fds are non-inheritable, so the postmaster we start does not keep the lock.
    """
    try:
        fd = os.open(layout.lock, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EmbeddedPgError(f"cannot open {layout.lock}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process setting up %s", layout.pgdir)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


# --------------------------------------------------------------------------- server


def _is_initialised(data: Path) -> bool:
    return (data / "PG_VERSION").is_file() and (data / "global" / "pg_control").is_file()


def _initdb(bindir: Path, layout: _Layout, user: pwd.struct_passwd | None) -> None:
    data = layout.data
    if data.exists() and any(data.iterdir()):
        # An interrupted initdb; initdb refuses non-empty dirs. Keep it rather than delete it.
        aside = data.with_name(f"data.incomplete-{int(time.time())}")
        log.warning("%s is not a complete cluster; moving it to %s", data, aside)
        data.rename(aside)
    log.info("creating PostgreSQL cluster in %s", data)
    base: list[str | os.PathLike[str]] = [
        bindir / "initdb",
        "-D",
        data,
        "-U",
        DB_USER,
        "--auth=trust",
        "--encoding=UTF8",
    ]
    result = _run([*base, "--locale=C.UTF-8"], as_user=user, cwd=layout.pgdir, check=False)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        if "locale" not in output.lower():
            raise EmbeddedPgError(f"initdb failed: {_tail_text(output, 10)}")
        log.warning("initdb cannot use locale C.UTF-8; retrying with --no-locale")
        if data.exists() and not any(data.iterdir()):
            data.rmdir()
        _run([*base, "--no-locale"], as_user=user, cwd=layout.pgdir)


def _pidfile_lines(data: Path) -> list[str]:
    try:
        return (data / "postmaster.pid").read_text().splitlines()
    except OSError:
        return []


def _is_postmaster_of(pid: int, data: Path) -> bool:
    """Whether ``pid`` is a postmaster serving ``data`` (the postmaster chdirs into it).

    Guards against PID reuse after a reboot, when pg_ctl status trusts a stale
    postmaster.pid whose PID now belongs to an unrelated process.
    """
    if not Path("/proc/self").exists():
        return True  # no procfs: cannot tell, trust pg_ctl
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd")) == data.resolve()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # someone else's process we may not inspect: trust pg_ctl


def _running_pid(bindir: Path, layout: _Layout, user: pwd.struct_passwd | None) -> int | None:
    status = _run(
        [bindir / "pg_ctl", "-D", layout.data, "status"],
        as_user=user,
        cwd=layout.pgdir,
        check=False,
    )
    if status.returncode != 0:  # 3: not running, 4: no data directory
        return None
    lines = _pidfile_lines(layout.data)
    if not lines or not lines[0].strip().isdigit():
        return None
    pid = int(lines[0])
    if not _is_postmaster_of(pid, layout.data):
        log.warning("removing stale postmaster.pid (PID %d is another process now)", pid)
        (layout.data / "postmaster.pid").unlink(missing_ok=True)
        # The socket lock files name the same PID, and the postmaster would refuse them too.
        for lock in layout.run.glob(".s.PGSQL.*.lock"):
            if lock.read_text(errors="replace").split("\n", 1)[0].strip() == str(pid):
                lock.unlink(missing_ok=True)
        return None
    return pid


def _pidfile_port(data: Path) -> int | None:
    lines = _pidfile_lines(data)  # line 4 of postmaster.pid is the port
    return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None


def _start(bindir: Path, layout: _Layout, port: int, user: pwd.struct_passwd | None) -> None:
    """Start the server. Address, port and socket dir go on the command line, not into
    postgresql.conf, so a moved project or another port just works on the next start."""
    socket_dir = str(layout.run)
    if len(os.fsencode(layout.run / f".s.PGSQL.{port}")) > _SOCKET_PATH_MAX:
        # PostgreSQL refuses to start if it cannot create any socket; we only use TCP.
        log.warning("%s is too long for a unix socket path; TCP only", layout.run)
        socket_dir = ""
    options = [
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={socket_dir}",
    ]
    log.info("starting PostgreSQL on 127.0.0.1:%d (log: %s)", port, layout.logfile)
    result = _run(
        [
            bindir / "pg_ctl",
            "-D",
            layout.data,
            "-l",
            layout.logfile,
            "-w",
            "-t",
            str(_START_TIMEOUT_S),
            # pg_ctl hands this string to /bin/sh, hence the shell quoting.
            "-o",
            shlex.join(options),
            "start",
        ],
        as_user=user,
        cwd=layout.pgdir,
        check=False,
    )
    if result.returncode != 0:
        raise EmbeddedPgError(
            f"PostgreSQL did not start (pg_ctl exit {result.returncode}): "
            f"{_tail_text(result.stderr or result.stdout, 5)}\n"
            f"--- last lines of {layout.logfile} ---\n{_tail_file(layout.logfile)}"
        )


def _stop(bindir: Path, layout: _Layout, user: pwd.struct_passwd | None) -> None:
    log.info("stopping PostgreSQL in %s", layout.data)
    _run(
        [bindir / "pg_ctl", "-D", layout.data, "-w", "-m", "fast", "stop"],
        as_user=user,
        cwd=layout.pgdir,
    )


def _psql(bindir: Path, port: int, database: str, sql: str) -> str:
    result = _run(
        [
            bindir / "psql",
            "-X",  # ignore ~/.psqlrc
            "-w",  # never prompt for a password
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            DB_USER,
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-c",
            sql,
        ],
        env={"PGOPTIONS": "-c client_min_messages=warning", "PGCONNECT_TIMEOUT": "10"},
        check=False,
    )
    if result.returncode != 0:
        raise EmbeddedPgError(
            f"SQL on {database} at 127.0.0.1:{port} failed: {_tail_text(result.stderr, 5)}"
        )
    return result.stdout.strip()


def _provision(bindir: Path, port: int) -> None:
    """Database ``fieldline`` plus the extensions, in it and in template1.

    template1 is what CREATE DATABASE copies, so every database made later on this cluster
    (tests make throwaway ones) starts with PostGIS and pg_trgm. Two psql calls when
    everything exists; IF NOT EXISTS makes it safe to repeat.
    """
    create_extensions = "; ".join(f"CREATE EXTENSION IF NOT EXISTS {e}" for e in EXTENSIONS)
    count_sql = f"SELECT count(*) FROM pg_database WHERE datname = '{DB_NAME}'"  # noqa: S608 - constant
    exists = _psql(bindir, port, "template1", f"{create_extensions}; {count_sql}")
    if exists == "0":
        log.info("creating database %s", DB_NAME)
        _psql(bindir, port, "postgres", f'CREATE DATABASE "{DB_NAME}"')
    _psql(bindir, port, DB_NAME, create_extensions)


# --------------------------------------------------------------------------- public API


def ensure_cluster(root: Path, *, port: int = DEFAULT_PORT) -> str:
    """Create (first use) and start the cluster under ``root/var/pg``; return its URL.

    Idempotent and cheap once running (a few short subprocesses). If the cluster is running
    on another port it is restarted on ``port``, since the returned URL must work.
    """
    layout = _layout(root)
    bindir = find_pg_bindir()
    _make_pgdir(layout)
    with _locked(layout):
        user = _prepare_ownership(layout)
        bindir = _matching_bindir(bindir, layout.data)
        ensure_postgis(bindir)
        if not _is_initialised(layout.data):
            _initdb(bindir, layout, user)
        pid = _running_pid(bindir, layout, user)
        if pid is not None and _pidfile_port(layout.data) != port:
            log.warning(
                "PostgreSQL in %s runs on another port; restarting on %d", layout.data, port
            )
            _stop(bindir, layout, user)
            pid = None
        if pid is None:
            _start(bindir, layout, port, user)
        _provision(bindir, port)
    return cluster_url(port)


def _existing_cluster(root: Path) -> tuple[_Layout, Path, pwd.struct_passwd | None] | None:
    """Layout, binaries and run-as user of an initialised cluster, or None if there is none."""
    layout = _layout(root)
    if not _is_initialised(layout.data):
        return None
    user = None
    if _is_root():
        user = _data_owner(layout.data)
        if user is None:
            raise EmbeddedPgError(f"{layout.data} must belong to a non-root user with a login")
    return layout, _matching_bindir(find_pg_bindir(), layout.data), user


def running_port(root: Path) -> int | None:
    """The port the cluster under ``root/var/pg`` serves on, or None if it is not running."""
    cluster = _existing_cluster(root)
    if cluster is None:
        return None
    layout, bindir, user = cluster
    if _running_pid(bindir, layout, user) is None:
        return None
    return _pidfile_port(layout.data)


def stop_cluster(root: Path) -> None:
    """Stop the cluster under ``root/var/pg`` (fast shutdown); a no-op if it is not running."""
    cluster = _existing_cluster(root)
    if cluster is None:
        return
    layout, bindir, user = cluster
    with _locked(layout):
        if _running_pid(bindir, layout, user) is not None:
            _stop(bindir, layout, user)


# --------------------------------------------------------------------------- CLI


def _port_from_env() -> int:
    raw = os.environ.get("FIELDLINE_PG_PORT", "").strip()
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise EmbeddedPgError(f"FIELDLINE_PG_PORT must be a TCP port number, not {raw!r}")
    return int(raw)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point; returns the exit status (status: 0 running, 3 stopped, 4 absent)."""
    parser = argparse.ArgumentParser(
        prog="python -m server.embedded_pg",
        description="Manage Fieldline's embedded PostgreSQL cluster under <root>/var/pg.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser("ensure", help="create/start the cluster; print its URL")
    ensure.add_argument(
        "--port", type=int, help=f"default: $FIELDLINE_PG_PORT, else {DEFAULT_PORT}"
    )
    commands.add_parser("status", help="print whether the cluster is running")
    commands.add_parser("stop", help="stop the cluster")
    for sub in commands.choices.values():
        sub.add_argument(
            "--root", type=Path, default=PROJECT_ROOT, help="project root (default: %(default)s)"
        )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="embedded_pg: %(message)s")

    root: Path = args.root
    if args.command == "ensure":
        port = args.port if args.port is not None else _port_from_env()
        print(ensure_cluster(root, port=port))
        return 0
    if args.command == "stop":
        stop_cluster(root)
        return 0
    data = _layout(root).data
    if not _is_initialised(data):
        print(f"absent: no cluster in {data}")
        return 4
    port_or_none = running_port(root)
    if port_or_none is None:
        print(f"stopped: {data}")
        return 3
    print(f"running: {cluster_url(port_or_none)} ({data})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
