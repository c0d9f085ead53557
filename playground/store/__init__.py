"""Where records are kept: one seam, two stores.

Every record the app reads and writes — runs, votes, seed checks, kept batches, saved presets and the in-flight
journal — goes through the parts of a ``parts.Store``, opened by ``open.open_store``: the embedded store (files
under the data directory, the default: ``files.py``) or PostgreSQL when ``PLAYGROUND_DATABASE_URL`` is set
(``sql.py``, imported only then, so the app's cold start never loads SQLAlchemy). The parts are the classes the
app has always used (``ResultsLog``, ``VotesLog``, ``SeedChecksLog``, ``BatchStore``, ``Journal``, and the saved
half of ``Presets``), each built over a storage protocol of ``base.py``; only that storage differs between stores.

This package's ``__init__`` imports nothing: the record modules import ``base`` from here.
"""
