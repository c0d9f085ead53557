"""The two stores side by side at 100,000 runs: History's first page and the cost of one append, embedded (files)
beside PostgreSQL, in one run.

Starts its own throwaway PostgreSQL 15 cluster (``tests/pg_cluster.py``, durable: fsync and synchronous commit on,
as a real server runs) and puts the same 100,000 rows (``history_scale.row``) in results.csv and in the database.
Then, for each store: History's first page through the app's own ``Revisits`` — cold (a new app over the store:
the whole log read), warm, after one more append (the reader picks up only the new row), filtered by prompt text —
and the median of ``APPENDS`` appends (each on disk, or committed, before it returns), alternating the stores so
noise hits both alike. Goals: first page < 1 s on each; an append on PostgreSQL within a few ms (< 20 ms).

    .venv/bin/python bench/store_scale.py [--json]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from common import history_timings, report  # first: it puts the repository and tests/ on the path
from history_scale import build, row
from pg_cluster import Cluster

ROWS, APPENDS = 100_000, 60


def fill(store) -> None:
    """The same rows history_scale writes to its CSV, into the database (in order, as an import does)."""
    from playground.record import COLUMNS

    rows = store.runs.rows
    for start in range(0, ROWS, 5_000):
        rows.append_new([{k: str(v) for k, v in row(i).items() if k in COLUMNS}
                         for i in range(start, min(ROWS, start + 5_000))])


def pages(catalog, folder: Path, store) -> dict[str, float]:
    from playground.service import Playground

    started = time.perf_counter()
    revisits = Playground(catalog, folder, store=store).revisits
    built = time.perf_counter() - started
    timings = history_timings(revisits, lambda: store.runs.append(row(10**7)))
    timings["cold first page"] += built  # cold here includes opening the app's parts over the store
    return timings


def appends(stores: dict) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in stores}
    for i in range(APPENDS):
        for name, store in stores.items():
            started = time.perf_counter()
            store.runs.append(row(10**7 + 1 + i))
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in samples.items()}


def measure() -> dict:
    from playground.catalog import load_catalog
    from playground.store.open import open_store

    folder = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    cluster = Cluster(durable=True).start()
    try:
        catalog = load_catalog()
        build(folder / "files" / "results.csv", ROWS)
        database_url = cluster.new_database().replace("postgresql://", "postgresql+psycopg://", 1)
        loader = open_store(folder / "db", database_url)
        started = time.perf_counter()
        fill(loader)
        fill_s = time.perf_counter() - started
        loader.close()
        stores = {"embedded": open_store(folder / "files"), "postgresql": open_store(folder / "db", database_url)}
        figures = {name: pages(catalog, folder / name, store) for name, store in stores.items()}
        append_s = appends(stores)
        for store in stores.values():
            store.close()
        return {"rows": ROWS, "fill_db_s": fill_s, "pages_s": figures, "append_s": append_s}
    finally:
        cluster.stop()


if __name__ == "__main__":
    f = measure()
    lines = [f"{f['rows']:,} runs in results.csv and in PostgreSQL (filled in {f['fill_db_s']:.1f} s)\n",
             f"{'History, 100,000 runs':<36} {'embedded':>10} {'PostgreSQL':>12}"]
    for name in f["pages_s"]["embedded"]:
        lines.append(f"  {name:<34} {f['pages_s']['embedded'][name] * 1000:8.1f} ms "
                     f"{f['pages_s']['postgresql'][name] * 1000:9.1f} ms")
    lines.append(f"{'one append, median of ' + str(APPENDS):<36} {f['append_s']['embedded'] * 1000:8.2f} ms "
                 f"{f['append_s']['postgresql'] * 1000:9.2f} ms")
    report(f, lines)
