"""Settings read from the environment, in one place (each is listed in the README's settings table)."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from playground.errors import PlaygroundError


@dataclass(frozen=True)
class FalSettings:
    """How the fal backend paces, bounds and saves a run."""

    timeout_s: float = 1800.0  # client-side limit on the whole run, video download included; then it is cancelled
    stream_status: bool = True  # follow fal's SSE status stream when offered (else, or on failure, poll)
    poll_first_s: float = 0.5  # the first wait after submitting; never faster than this
    poll_active_s: float = 1.25  # ceiling while queue position or logs keep changing (lively, < 1 request/s)
    poll_max_s: float = 3.0  # ceiling while nothing changes
    poll_factor: float = 1.5
    max_video_bytes: int = 500 * 1024 * 1024
    download_timeout_s: float = 120.0
    cancel_timeout_s: float = 15.0  # budget for cancelling (and checking whether fal finished anyway)
    start_timeout_s: float | None = None  # X-Fal-Request-Timeout: fal gives up if no runner starts within this
    store_io: bool = True  # False sends X-Fal-Store-IO: 0 (fal keeps no copy of inputs and outputs)


@dataclass(frozen=True)
class Limits:
    """Bounds on what one app and one comparison may run at once, and spend without asking."""

    max_runs: int = 16  # runs in flight across the whole app
    batch_concurrency: int = 8  # cells of one comparison in flight at once
    max_batch_usd: float = 5.0  # a paid batch estimated above this needs an explicit confirmation
    max_batch_cells: int = 32


def data_dir() -> Path:
    """``PLAYGROUND_DATA_DIR`` (default ``./data``): results.csv, outputs/ and everything else we keep."""
    return Path(os.environ.get("PLAYGROUND_DATA_DIR") or "data").resolve()


DATABASE_SCHEMES = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
                    "postgresql+psycopg": "postgresql+psycopg"}


def database_url() -> str | None:
    """``PLAYGROUND_DATABASE_URL=postgresql://user:password@host:5432/db`` (``postgres://`` too): keep every record
    in that PostgreSQL database instead of files under the data dir (videos and inputs stay there), so several
    replicas of the app share one workspace. Returned with the scheme SQLAlchemy needs for psycopg 3
    (``postgresql+psycopg://``); None when unset. Never logged with its password (``store.open.shown_url``)."""
    raw = (os.environ.get("PLAYGROUND_DATABASE_URL") or "").strip()
    if not raw:
        return None
    scheme, separator, rest = raw.partition("://")
    if not separator or scheme.lower() not in DATABASE_SCHEMES or not rest:
        raise PlaygroundError(f"PLAYGROUND_DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:port/"
                              f"database (it starts with {scheme[:20]!r})" if separator else
                              "PLAYGROUND_DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:port/"
                              "database")
    return f"{DATABASE_SCHEMES[scheme.lower()]}://{rest}"


def journal_lease_s() -> float:
    """``PLAYGROUND_JOURNAL_LEASE_S`` (30): with the database, how long a replica's hold on a paid run in flight
    lasts unless renewed (it renews every third of that); a replica that dies leaves its runs to another after it."""
    return _positive("PLAYGROUND_JOURNAL_LEASE_S", 30.0)


def catalog_dir() -> Path | None:
    """``PLAYGROUND_CATALOG_DIR``: endpoint data somewhere else than the shipped ``playground/catalog``."""
    raw = os.environ.get("PLAYGROUND_CATALOG_DIR")
    return Path(raw).resolve() if raw else None


def judge_instructions() -> Path | None:
    """``PLAYGROUND_JUDGE_INSTRUCTIONS``: the model judges' instructions from this file instead of the shipped
    ``playground/judging/instructions.json`` (its version and content hash go into each judge's name)."""
    raw = (os.environ.get("PLAYGROUND_JUDGE_INSTRUCTIONS") or "").strip()
    return Path(raw).resolve() if raw else None


def openapi_base_url() -> str | None:
    """Where ``refresh`` reads fal's OpenAPI documents when ``--base-url`` is not given (a mirror, or a test's fake)."""
    return (os.environ.get("PLAYGROUND_OPENAPI_BASE_URL") or "").strip() or None


def backend_choice(known: Collection[str]) -> str:
    """``PLAYGROUND_BACKEND=auto|fal|offline`` (``known``: the backends' names, ``backends.registry.names()``);
    anything else stops start-up with a clear message."""
    choice = (os.environ.get("PLAYGROUND_BACKEND") or "auto").strip().lower()
    if choice != "auto" and choice not in known:
        raise PlaygroundError(f"PLAYGROUND_BACKEND={choice!r}: must be one of {', '.join(['auto', *known])}")
    return choice


def server_key() -> str | None:
    """The server's own fal key: ``FAL_KEY``, or ``FAL_KEY_ID`` + ``FAL_KEY_SECRET`` as fal-client reads them."""
    key = (os.environ.get("FAL_KEY") or "").strip()
    if key:
        return key
    key_id, secret = (os.environ.get("FAL_KEY_ID") or "").strip(), (os.environ.get("FAL_KEY_SECRET") or "").strip()
    return f"{key_id}:{secret}" if key_id and secret else None


def _positive(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise PlaygroundError(f"{name}={raw!r}: must be a positive number")
    return value


def fal_settings() -> FalSettings:
    """``PLAYGROUND_FAL_TIMEOUT_S`` (1800), ``PLAYGROUND_FAL_CANCEL_TIMEOUT_S`` (15), ``PLAYGROUND_MAX_VIDEO_MB`` (500),
    ``PLAYGROUND_FAL_STATUS_STREAM`` (1), ``PLAYGROUND_FAL_START_TIMEOUT_S`` (none), ``PLAYGROUND_FAL_STORE_IO`` (1)."""
    stream, store_io = _flag("PLAYGROUND_FAL_STATUS_STREAM"), _flag("PLAYGROUND_FAL_STORE_IO")
    start = _positive("PLAYGROUND_FAL_START_TIMEOUT_S", 0) or None
    if start is not None and start <= 1:
        raise PlaygroundError(f"PLAYGROUND_FAL_START_TIMEOUT_S={start:g}: fal needs more than 1 second")
    return FalSettings(timeout_s=_positive("PLAYGROUND_FAL_TIMEOUT_S", FalSettings.timeout_s),
                       cancel_timeout_s=_positive("PLAYGROUND_FAL_CANCEL_TIMEOUT_S", FalSettings.cancel_timeout_s),
                       max_video_bytes=int(_positive("PLAYGROUND_MAX_VIDEO_MB", 500) * 1024 * 1024),
                       stream_status=True if stream is None else stream, start_timeout_s=start,
                       store_io=True if store_io is None else store_io)


def limits() -> Limits:
    """``PLAYGROUND_MAX_RUNS``, ``PLAYGROUND_BATCH_CONCURRENCY``, ``PLAYGROUND_MAX_BATCH_USD``, ``PLAYGROUND_MAX_BATCH_CELLS``."""
    return Limits(max_runs=int(_positive("PLAYGROUND_MAX_RUNS", Limits.max_runs)),
                  batch_concurrency=int(_positive("PLAYGROUND_BATCH_CONCURRENCY", Limits.batch_concurrency)),
                  max_batch_usd=_positive("PLAYGROUND_MAX_BATCH_USD", Limits.max_batch_usd),
                  max_batch_cells=int(_positive("PLAYGROUND_MAX_BATCH_CELLS", Limits.max_batch_cells)))


@dataclass(frozen=True)
class PublicMode:
    """A public deployment (Hugging Face Spaces): visitors bring their own key unless the owner shares one."""

    on: bool = False
    share_server_key: bool = False  # PLAYGROUND_SHARE_SERVER_KEY=1: visitors may spend the server's key…
    session_cap_usd: float = 1.0  # …up to this much each (estimated)…
    daily_cap_usd: float = 10.0  # …and this much a day in total
    session_concurrency: int = 2  # runs in flight per visitor (any backend)
    session_runs_per_hour: int = 60  # runs started per visitor per hour (any backend)
    trusted_proxies: int = 0  # proxies in front of the app that append the client's address to X-Forwarded-For


def _flag(name: str) -> bool | None:
    raw = (os.environ.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise PlaygroundError(f"{name}={raw!r}: must be 1 or 0")


def _count(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise PlaygroundError(f"{name}={raw!r}: must be a whole number, 0 or more")
    return int(raw)


def oauth_configured() -> bool:
    """A Space with ``hf_oauth: true``: Hugging Face sets these, and Gradio's sign-in needs every one of them."""
    names = ("SPACE_ID", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET", "OAUTH_SCOPES", "OPENID_PROVIDER_URL")
    return on_spaces() and all((os.environ.get(name) or "").strip() for name in names)  # elsewhere Gradio mocks it


def on_spaces() -> bool:
    """Gradio's own test for Hugging Face Spaces."""
    return os.environ.get("SYSTEM") == "spaces"


def public_mode() -> PublicMode:
    """``PLAYGROUND_PUBLIC`` (default: on when running on Spaces) and its caps; ``PLAYGROUND_TRUSTED_PROXIES``
    (default 1 on Spaces, whose proxy appends the visitor's address to X-Forwarded-For; 0 elsewhere)."""
    public = _flag("PLAYGROUND_PUBLIC")
    return PublicMode(on=on_spaces() if public is None else public,
                      share_server_key=bool(_flag("PLAYGROUND_SHARE_SERVER_KEY")),
                      session_cap_usd=_positive("PLAYGROUND_SESSION_CAP_USD", PublicMode.session_cap_usd),
                      daily_cap_usd=_positive("PLAYGROUND_DAILY_CAP_USD", PublicMode.daily_cap_usd),
                      session_concurrency=int(_positive("PLAYGROUND_SESSION_CONCURRENCY", PublicMode.session_concurrency)),
                      session_runs_per_hour=int(_positive("PLAYGROUND_SESSION_RUNS_PER_HOUR",
                                                          PublicMode.session_runs_per_hour)),
                      trusted_proxies=_count("PLAYGROUND_TRUSTED_PROXIES", 1 if on_spaces() else 0))
