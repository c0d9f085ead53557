"""Which store an app uses: the embedded one, or PostgreSQL when a database URL is given."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from playground.store.files import open_files
from playground.store.parts import Store


def shown_url(url: str) -> str:
    """A database URL as it may be logged and shown: its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def open_store(data_dir: Path, database_url: str | None = None, lease_ttl_s: float = 30.0) -> Store:
    """The embedded store over ``data_dir``, or the PostgreSQL one at ``database_url`` (``postgresql+psycopg://…``,
    see ``config.database_url``) with journal leases of ``lease_ttl_s``. SQLAlchemy is imported only then."""
    if not database_url:
        return open_files(Path(data_dir))
    from playground.store.sql import open_sql

    return open_sql(database_url, shown_url(database_url), Path(data_dir), lease_ttl_s)
