"""The PostgreSQL store's tables (SQLAlchemy Core), and the schema made and brought up to date at start-up.

Every record column is ``text`` (the CSV contract is strings, so a frame read from either store is the same); a log's
table adds ``_seq`` (insertion order: rows are read back in the order they were written) and ``_rev`` (from one
sequence, taken again when a row changes: a reader asks only for what changed since its last read). A log's key
(run, vote or check id) is unique where it is not empty, so a row is never kept twice — not by two replicas
finishing the same run, not by an import run twice. Tables are named ``playground_*``, so the database can be shared.

Start-up takes an advisory lock (replicas starting together set up the schema once), applies the forward-only
``MIGRATIONS`` not yet recorded in ``playground_schema_version``, then adds any record column the code has and the
table lacks (a new field of ``RunRecord``, ``Vote`` or ``SeedCheck``: the CSV files get it the same way, by a header
rewrite), as ``text not null default ''``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Identity,
    Index,
    Integer,
    MetaData,
    Sequence,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
)

from playground import record, seed_checks, votes
from playground.errors import PlaygroundError

PREFIX = "playground_"
SCHEMA_LOCK = 0x706C6179  # "play": the advisory lock held while the schema is set up
metadata = MetaData()


def _log_table(name: str, columns: list[str], key: str) -> Table:
    revision = Sequence(f"{PREFIX}{name}_rev", metadata=metadata)
    table = Table(PREFIX + name, metadata,
                  Column("_seq", BigInteger, Identity(), primary_key=True),
                  Column("_rev", BigInteger, revision, server_default=revision.next_value(), nullable=False,
                         index=True),
                  *(Column(column, Text, nullable=False, server_default="") for column in columns))
    Index(f"{PREFIX}{name}_{key}", table.c[key], unique=True, postgresql_where=table.c[key] != "")
    return table


runs = _log_table("runs", record.COLUMNS, "run_id")
vote_rows = _log_table("votes", votes.COLUMNS, "vote_id")
seed_check_rows = _log_table("seed_checks", seed_checks.COLUMNS, "check_id")
LOGS: dict[str, tuple[Table, str]] = {"runs": (runs, "run_id"), "votes": (vote_rows, "vote_id"),
                                      "seed_checks": (seed_check_rows, "check_id")}

batches = Table(PREFIX + "batches", metadata,
                Column("batch_id", Text, primary_key=True),
                Column("owner", Text, nullable=False),
                Column("body", Text, nullable=False),  # BatchStore's ASCII JSON, as the file holds it
                Column("saved_at", DateTime(timezone=True), nullable=False, server_default=func.now()))

presets = Table(PREFIX + "presets", metadata,
                Column("file", Text, primary_key=True),  # presets.file_name: a slug and a hash of the name
                Column("body", Text, nullable=False),  # the JSON text the file would hold
                Column("saved_at", DateTime(timezone=True), nullable=False, server_default=func.now()))

journal = Table(PREFIX + "journal", metadata,
                Column("run_id", Text, primary_key=True),
                Column("body", Text),  # None while a claim waits for its entry
                Column("holder", Text),  # the process holding the entry (a random id of its store), or None
                Column("lease_until", DateTime(timezone=True)),  # the database's clock: the hold lapses then
                Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()))

# public-mode admissions (``store.sql_admissions``): one ticket per run let in, held by its replica's lease
admissions = Table(PREFIX + "admissions", metadata,
                   Column("ticket_id", Text, primary_key=True),
                   Column("visitor_id", Text, nullable=False),  # Visitor.limited_as: an id, never an address
                   Column("estimated_usd", Float(53), nullable=False),
                   Column("server_billed", Boolean, nullable=False),
                   Column("admitted_epoch", Float(53), nullable=False, index=True),  # the admitting Guard's clock
                   Column("holder", Text, nullable=False),  # the replica that admitted it (a random id of its store)
                   Column("lease_until", DateTime(timezone=True), nullable=False),  # the database's clock
                   Column("released_at", DateTime(timezone=True)))  # None while its run is going
Index(f"{PREFIX}admissions_visitor", admissions.c.visitor_id, admissions.c.admitted_epoch)
# today's spend on the server key, counted at each admission without reading the whole log
server_day = Index(f"{PREFIX}runs_server_day", runs.c.billed_to, func.left(runs.c.created_at, 10))

schema_version = Table(PREFIX + "schema_version", metadata,
                       Column("version", Integer, primary_key=True),
                       Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()))


def _first(connection: Connection) -> None:
    metadata.create_all(connection)


def _admissions(connection: Connection) -> None:
    """Version 2: the admissions table and the runs' server-day index (a new database has them from version 1)."""
    admissions.create(connection, checkfirst=True)
    server_day.create(connection, checkfirst=True)


# Forward only: version n is MIGRATIONS[n - 1], applied once, in order; never edit one that has shipped.
MIGRATIONS: list[Callable[[Connection], None]] = [_first, _admissions]


def _add_new_columns(connection: Connection) -> list[str]:
    """Record columns the code has and a log's table lacks, added empty; their names."""
    added = []
    for table, _ in LOGS.values():
        present = {column["name"] for column in inspect(connection).get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                quote = connection.dialect.identifier_preparer.quote
                connection.execute(text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} text NOT NULL "
                                        "DEFAULT ''"))
                added.append(f"{table.name}.{column.name}")
    return added


def prepare(engine: Engine) -> int:
    """Create or bring the schema up to date (once, whichever replica starts first); its version."""
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))
        schema_version.create(connection, checkfirst=True)
        version = connection.execute(select(func.max(schema_version.c.version))).scalar() or 0
        if version > len(MIGRATIONS):
            raise PlaygroundError(f"the database's playground tables are at schema version {version}, newer than this "
                                  f"version of the app knows ({len(MIGRATIONS)}): run the newer version, or another "
                                  "database")
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            step(connection)
            connection.execute(insert(schema_version).values(version=number))
        _add_new_columns(connection)
        return len(MIGRATIONS)
