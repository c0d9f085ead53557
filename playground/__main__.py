"""Commands on the records, whichever store the environment selects (``PLAYGROUND_DATA_DIR``,
``PLAYGROUND_DATABASE_URL``):

    python -m playground export --out results.csv [--votes votes.csv]
        the results log (and the votes) as CSV files in the log's own format: every field quoted, ``\\n`` after
        each row, the columns of today's results.csv — from the database as from the embedded store.
    python -m playground import DATA_DIR
        copy a data dir's records (runs, votes, seed checks, kept batches, saved presets, journal entries) into the
        database; run it again and nothing is added. Stop the app that writes DATA_DIR first: its journal entries
        are copied as they stand, for the database's replicas to finish.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from playground import config
from playground.csvlog import write_frame
from playground.errors import PlaygroundError
from playground.store.files import open_files
from playground.store.open import open_store


def export(out: Path, votes: Path | None) -> str:
    """Write the results log (and votes) from the selected store; what was written."""
    store = open_store(config.data_dir(), config.database_url())
    try:
        said = []
        for frame, path in ((store.runs.read(), out), *(((store.votes.read(), votes),) if votes else ())):
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                             delete=False) as handle:
                temporary = Path(handle.name)
            try:
                write_frame(frame, temporary)
                os.replace(temporary, path)
            finally:
                temporary.unlink(missing_ok=True)
            said.append(f"{path}: {len(frame)} row(s) from {store.where}")
        return "\n".join(said)
    finally:
        store.close()


def import_data_dir(data_dir: Path) -> str:
    """Copy ``data_dir``'s records into the database; what was added and what was there already."""
    from playground.store.sql_import import import_records

    url = config.database_url()
    if url is None:
        raise PlaygroundError("set PLAYGROUND_DATABASE_URL to the database to import into")
    if not data_dir.is_dir():
        raise PlaygroundError(f"{data_dir} is not a folder: give the data dir to import (the one holding "
                              "results.csv)")
    target = open_store(config.data_dir(), url)
    try:
        copied = import_records(open_files(data_dir), target)
        return "\n".join([f"from files under {data_dir} into {target.where}:",
                          *(part.said(kind) for kind, part in copied.items())])
    finally:
        target.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    exporting = commands.add_parser("export", help="write results.csv (and votes.csv) from the selected store")
    exporting.add_argument("--out", type=Path, required=True, help="where to write the results log")
    exporting.add_argument("--votes", type=Path, help="where to write the votes, too")
    importing = commands.add_parser("import", help="copy a data dir's records into PLAYGROUND_DATABASE_URL")
    importing.add_argument("data_dir", type=Path, help="the data dir to copy (read as the app reads it: a row that "
                                                       "cannot be read is set aside beside its log, not copied)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "export":
            print(export(arguments.out, arguments.votes))
        else:
            print(import_data_dir(arguments.data_dir.resolve()))
    except (PlaygroundError, OSError) as exc:
        print(f"python -m playground {arguments.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
