"""A kept batch read back as it stands now: cells the file still shows as going are settled from the results log
(they ended) or the journal (recovering), else they were interrupted; counts and cost after follow."""

import pytest

from playground.compare.kept import RECOVERING, settled
from playground.record import RunRecord


def _cell(n, status, endpoint="e1", seed=1, **more):
    return {"cell": n, "row": f"p1-s{seed}", "row_label": "x", "prompt": "a kite", "seed": seed, "endpoint_id": endpoint,
            "label": endpoint, "status": status, "error": "", "estimated_cost_usd": 0.5, "origin": "new", **more}


def _snapshot(*cells):
    return {"batch_id": "0123456789ab", "backend": "fal", "paid": True, "done": False, "cells": list(cells),
            "warnings": []}


def _row(endpoint, seed, status="completed", **more):
    return RunRecord(run_id=f"run-{endpoint}-{seed}", batch_id="0123456789ab", endpoint_id=endpoint, seed=seed,
                     prompt="a kite", status=status, estimated_cost_usd=0.5, **more).to_row()


@pytest.mark.parametrize("rows, journal, status, done", [
    ([_row("e2", 1)], [], "completed", True),  # it ended just before the stop, or recovery finished it
    ([_row("e2", 1, "failed", error="fal said no")], [], "failed", True),
    ([], [{"row": _row("e2", 1, "failed")}], RECOVERING, False),  # its paid request is still being finished
    ([], [], "interrupted", True),  # never ran, or its result was not kept
    ([_row("e2", 2)], [], "interrupted", True),  # another cell's row is not this cell's
])
def test_a_cell_still_going_in_the_file_is_settled(rows, journal, status, done):
    snapshot = _snapshot(_cell(0, "completed", billed_cost_usd=0.25), _cell(1, "running", "e2"))
    now = settled(snapshot, rows, journal)
    assert now["cells"][0] == snapshot["cells"][0]  # what had ended stays as it was
    assert now["cells"][1]["status"] == status and now["done"] is done
    assert now["cells"][1]["cell"] == 1 and now["cells"][1]["row"] == "p1-s1"  # its place in the grid is kept
    completed = 1 + (status == "completed")
    assert now["counts"]["completed"] == completed and now["spent_usd"] == pytest.approx(0.5 * completed)


def test_a_cell_served_by_another_endpoint_is_warned_about_once_settled():
    now = settled(_snapshot(_cell(0, "queued")), [_row("e1", 1, served_by="other/model")], [])
    assert now["cells"][0]["served_by"] == "other/model" and "other/model" in now["warnings"][0]
