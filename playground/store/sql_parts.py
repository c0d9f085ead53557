"""Kept batches and saved presets in PostgreSQL: a row of JSON text per batch id and per preset file name, the same
text the embedded store's files hold (``BatchStore`` and ``Presets`` make and read it). Whether an insert added a
row is read from its RETURNING (the driver reports no row count for SQLAlchemy's inserts).

Batch and journal texts are ASCII JSON, so they never hold a NUL; a preset's JSON escapes control characters too
and its text is checked before it is saved (no lone surrogate), so these tables keep text exactly as given.
"""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError

from playground.store.base import SavedText
from playground.store.sql_tables import batches, presets

PRESET_PLACE = "database presets/"  # a saved preset's label: where it is, in problems and messages


class SqlBatches:
    """``BatchTexts`` in ``playground_batches``; a save replaces the batch's row in one statement."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def put(self, batch_id: str, owner: str, text: str) -> None:
        statement = insert(batches).values(batch_id=batch_id, owner=owner, body=text)
        statement = statement.on_conflict_do_update(index_elements=[batches.c.batch_id],
                                                    set_={"owner": owner, "body": text, "saved_at": func.now()})
        with self.engine.begin() as connection:
            connection.execute(statement)

    def put_new(self, batch_id: str, owner: str, text: str) -> bool:
        """Keep a batch not kept yet (an import); whether it was added."""
        statement = (insert(batches).values(batch_id=batch_id, owner=owner, body=text).on_conflict_do_nothing()
                     .returning(batches.c.batch_id))
        with self.engine.begin() as connection:
            return connection.execute(statement).first() is not None

    def get(self, batch_id: str) -> str | None:
        with self.engine.connect() as connection:
            body = connection.execute(select(batches.c.body).where(batches.c.batch_id == batch_id)).scalar()
        return None if body is None else str(body)

    def ids(self) -> list[str]:
        with self.engine.connect() as connection:
            return [str(i) for i in connection.execute(select(batches.c.batch_id).order_by(batches.c.batch_id))
                    .scalars()]


class SqlPresets:
    """``PresetShelf`` in ``playground_presets``: every replica reads the same saved presets."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def texts(self) -> tuple[list[SavedText], list[str]]:
        query = select(presets.c.file, presets.c.body).order_by(presets.c.file)
        with self.engine.connect() as connection:
            return [SavedText(file, self.label(file), body) for file, body in connection.execute(query)], []

    def label(self, file: str) -> str:
        return PRESET_PLACE + file

    def write(self, label: str, text: str) -> None:
        file = label.removeprefix(PRESET_PLACE)
        statement = insert(presets).values(file=file, body=text)
        statement = statement.on_conflict_do_update(index_elements=[presets.c.file],
                                                    set_={"body": text, "saved_at": func.now()})
        try:
            with self.engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError as exc:  # said as a disk's refusal is: Presets words it for the person saving
            raise OSError(0, f"the database refused it: {exc.__class__.__name__}") from exc

    def write_new(self, file: str, text: str) -> bool:
        """Keep a preset file not kept yet (an import); whether it was added."""
        statement = insert(presets).values(file=file, body=text).on_conflict_do_nothing().returning(presets.c.file)
        with self.engine.begin() as connection:
            return connection.execute(statement).first() is not None
