"""Kept batches: written whole, read back exactly (odd text included), found only by their owner and id shape."""

import pytest

from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import StoredSpec
from playground.compare.store import BatchStore

ODD = ["a\u2028b\u2029c\x85d\r\ne\rf\vg\x0ch\x1c", "lone \ud800 surrogate", "x" * 100_000, ""]


@pytest.mark.parametrize("prompt", ODD, ids=["line breaks", "surrogate", "100k", "empty"])
def test_a_kept_batch_reads_back_exactly(tmp_path, prompt):
    store = BatchStore(tmp_path / "batches")
    snapshot = BatchSnapshot.from_dict({"batch_id": "0123456789ab", "done": True, "cells": [{"prompt": prompt, "seed": 7}]})
    store.save(snapshot, "owner-a", StoredSpec(prompts=(prompt,)))
    kept = store.load("0123456789ab", "owner-a")
    assert kept.snapshot == snapshot and kept.spec == StoredSpec(prompts=(prompt,))
    assert kept.snapshot.cells[0].prompt == prompt and kept.spec.prompts == (prompt,)
    assert [p.name for p in (tmp_path / "batches").iterdir()] == ["0123456789ab.json"]  # no temporary left over


@pytest.mark.parametrize("batch_id", ["0123456789ab", "../../results", "0123456789AB", "", "0123456789ab\n", "é" * 12])
def test_only_the_owner_finds_a_batch_and_only_by_a_batch_id(tmp_path, batch_id):
    store = BatchStore(tmp_path / "batches")
    store.save(BatchSnapshot.from_dict({"batch_id": "0123456789ab", "cells": []}), "owner-a", StoredSpec())
    assert store.load(batch_id, "owner-b") is None  # another visitor's id reads as unknown
    assert (store.load(batch_id, "owner-a") is not None) == (batch_id == "0123456789ab")
