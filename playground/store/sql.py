"""The PostgreSQL store, for a team or several replicas of the app: every record in one database, media still files
under the data directory. SQLAlchemy Core (typed table definitions, a connection pool, ``insert … on conflict``,
no ORM) over psycopg 3; imported only when ``PLAYGROUND_DATABASE_URL`` is set."""

from __future__ import annotations

import atexit
import logging
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from playground import record, seed_checks, votes
from playground.compare.store import BatchStore
from playground.errors import PlaygroundError
from playground.journal import Journal
from playground.results import ResultsLog
from playground.seed_checks import SeedChecksLog
from playground.store.parts import Store
from playground.store.sql_admissions import SqlAdmissions
from playground.store.sql_journal import SqlJournal
from playground.store.sql_parts import SqlBatches, SqlPresets
from playground.store.sql_rows import SqlRows
from playground.store.sql_tables import prepare, runs, seed_check_rows, vote_rows
from playground.votes import VotesLog

log = logging.getLogger(__name__)


def open_sql(url: str, shown: str, data_dir: Path, lease_ttl_s: float = 30.0) -> Store:
    """The store in the database at ``url`` (``postgresql+psycopg://…``; ``shown``: the same without its password),
    its schema made or brought up to date; PlaygroundError when it cannot be reached or set up. ``data_dir`` still
    holds the media (and the exports made from kept batches)."""
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    try:
        version = prepare(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        why = str(getattr(exc, "orig", None) or exc.__class__.__name__).strip().splitlines()[0][:300]
        raise PlaygroundError(f"PLAYGROUND_DATABASE_URL ({shown}): the database cannot be used: {why}") from None
    log.info("records are kept in PostgreSQL at %s (schema version %d)", shown, version)
    journal, admissions = SqlJournal(engine, lease_ttl_s), SqlAdmissions(engine, lease_ttl_s)

    def close() -> None:
        """Leases given up (another replica may finish those runs at once), connections closed; also at exit."""
        atexit.unregister(close)
        journal.close()
        admissions.close()
        engine.dispose()

    atexit.register(close)

    return Store(ResultsLog(SqlRows(engine, runs, record.COLUMNS, "run_id")),
                 VotesLog(SqlRows(engine, vote_rows, votes.COLUMNS, "vote_id")),
                 SeedChecksLog(SqlRows(engine, seed_check_rows, seed_checks.COLUMNS, "check_id")),
                 BatchStore(data_dir / "batches", SqlBatches(engine)), Journal(journal), SqlPresets(engine),
                 f"PostgreSQL at {shown}", close, admissions, sweep_s=lease_ttl_s / 2)
