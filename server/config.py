"""Settings: typed defaults, overridden by environment variables, overridden by a test's mapping.

Nothing here runs at import time; `load_config` is called by the app factory.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Environment variables read without the FIELDLINE_ prefix because every tool knows them by name.
UNPREFIXED = {"DATABASE_URL", "SECRET_KEY", "PORT"}


@dataclass
class Config:
    # None selects the embedded project-local PostGIS cluster under var/pg (see embedded_pg).
    DATABASE_URL: str | None = None
    # Port of the embedded cluster (FIELDLINE_PG_PORT), away from 5432 beside a system server.
    PG_PORT: int = 54329
    # None: a random key is generated once and kept in var/secret_key, so tokens survive restarts.
    SECRET_KEY: str | None = None
    TESTING: bool = False
    DEFAULT_LOCALE: str = "zh-CN"
    ORG_TIMEZONE: str = "Asia/Shanghai"
    ACCESS_TOKEN_TTL_S: int = 15 * 60
    REFRESH_TOKEN_TTL_S: int = 30 * 24 * 3600
    # Failed logins allowed per account, and attempts per client address, in one window.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int = 5
    LOGIN_MAX_ATTEMPTS_PER_ADDRESS: int = 30
    LOGIN_RATE_WINDOW_S: int = 15 * 60
    # Requests per minute per client address on public endpoints (tracking page, web intake).
    PUBLIC_RATE_LIMIT_PER_MINUTE: int = 60
    PWA_DIST: str = str(PROJECT_ROOT / "pwa" / "dist")
    LOG_JSON: bool = True
    LOG_LEVEL: str = "INFO"
    DB_POOL_SIZE: int = 10
    # Seconds a statement waits for a lock before it gives up (keeps requests from piling up).
    DB_LOCK_TIMEOUT_MS: int = 5000
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    # Share of an SLA target after which the clock is `at_risk` and supervisors are warned.
    SLA_WARN_SHARE: float = 0.75
    # New urgent orders are assigned at once to the best engineer by instant insertion.
    AUTO_DISPATCH_URGENT: bool = False
    # Travel times for dispatch: "great_circle" (distance x detour / speed) or "osrm" (OSRM_URL).
    TRAVEL_PROVIDER: str = "great_circle"
    OSRM_URL: str = ""
    TRAVEL_DETOUR_FACTOR: float = 1.3
    TRAVEL_SPEED_KMH: float = 25.0
    # Content-addressed blobs: photos, signatures, documents and their derived copies.
    STORAGE_DIR: str = str(PROJECT_ROOT / "var" / "blobs")
    # One uploaded file; a request body (e.g. a raw email with several files) may be larger.
    MAX_UPLOAD_BYTES: int = 15 * 1024 * 1024
    MAX_CONTENT_LENGTH: int = 40 * 1024 * 1024
    # Pixels an image may declare before it is decoded (a decompression bomb is refused).
    MAX_IMAGE_PIXELS: int = 40_000_000
    # Outgoing email (SMTP). With an empty host, email goes to MAIL_DIR as .eml files when that
    # is set (`make run` sets var/mail), and is otherwise off: such messages are marked skipped.
    SMTP_HOST: str = ""
    MAIL_DIR: str = ""
    SMTP_PORT: int = 587
    SMTP_USER: str = ""
    SMTP_PASSWORD: str = ""
    SMTP_FROM: str = "Fieldline <noreply@fieldline.invalid>"
    # "starttls", "ssl" (implicit TLS, usually port 465) or "none" (a relay on the same host).
    SMTP_TLS: str = "starttls"
    SMTP_TIMEOUT_S: int = 30
    # Push to engineers' phones (FCM): a service-account JSON file. Empty turns push off (the
    # app still learns everything on its next sync); the project id defaults to the file's.
    FCM_CREDENTIALS_FILE: str = ""
    FCM_PROJECT_ID: str = ""
    # Notification delivery: attempts before a message is failed, the backoff between them
    # (base x 2^n, capped, with jitter), and how long a claimed message may stay `sending`.
    NOTIFY_MAX_ATTEMPTS: int = 8
    NOTIFY_RETRY_BASE_S: int = 30
    NOTIFY_RETRY_CAP_S: int = 3600
    NOTIFY_LEASE_S: int = 300
    WEBHOOK_TIMEOUT_S: int = 10
    # A customer hears of a new ETA only when it moved by more than this.
    ETA_NOTIFY_MARGIN_MINUTES: int = 15
    # The live board's event stream (server/live): where boards open it ("" = this server, at
    # /api/v1/events/stream), whether this process is the one serving it, the stream token's
    # lifetime and the heartbeat that keeps idle streams open through proxies.
    EVENTS_STREAM_URL: str = ""
    EVENTS_STREAM_PROCESS: bool = False
    EVENTS_TOKEN_TTL_S: int = 300
    EVENTS_HEARTBEAT_S: float = 15.0
    # How long a browser waits before reconnecting, the events a stream can replay after a
    # reconnect, and how long the LISTEN connection waits for a notification before it checks
    # that it is still alive.
    EVENTS_RETRY_MS: int = 3000
    EVENTS_RING_SIZE: int = 10_000
    EVENTS_LISTEN_WAIT_S: float = 5.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_flask_mapping(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        data.update(self.extra)
        return data


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Config:
    """Defaults, then FIELDLINE_* (and DATABASE_URL, SECRET_KEY) from the environment, then
    the overrides."""
    env = os.environ if environ is None else environ
    config = Config()
    for f in fields(config):
        if f.name == "extra":
            continue
        name = f.name if f.name in UNPREFIXED else f"FIELDLINE_{f.name}"
        if name in env:
            setattr(config, f.name, _coerce(env[name], getattr(config, f.name)))
    for key, value in (overrides or {}).items():
        if hasattr(config, key) and key != "extra":
            setattr(config, key, value)
        else:
            config.extra[key] = value
    if not config.SECRET_KEY:
        config.SECRET_KEY = _persistent_secret()
    return config


def _persistent_secret() -> str:
    path = PROJECT_ROOT / "var" / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def resolve_database_url(config: Config) -> str:
    """The configured server, else the embedded cluster (created and started on first use)."""
    if config.DATABASE_URL:
        return config.DATABASE_URL
    from server import embedded_pg  # local import: only the embedded default needs it

    return embedded_pg.ensure_cluster(PROJECT_ROOT, port=config.PG_PORT)
