"""A kept batch read back as it stands now: cells the file still shows as going are settled from the results log
(they ended) or the journal (recovering), else they were interrupted; counts and cost after follow."""

import pytest

from playground.compare.kept import RECOVERING, settled
from playground.compare.snapshot import BatchSnapshot
from playground.record import RunRecord


def _cell(n, status, endpoint="e1", seed=1, **more):
    return {"cell": n, "row": f"p1-s{seed}", "row_label": "x", "prompt": "a kite", "seed": seed, "endpoint_id": endpoint,
            "label": endpoint, "status": status, "error": "", "estimated_cost_usd": 0.5, "origin": "new", **more}


def _snapshot(*cells):
    return BatchSnapshot.from_dict({"batch_id": "0123456789ab", "backend": "fal", "paid": True, "done": False,
                                    "cells": list(cells), "warnings": []})


def _settled(snapshot, rows, journal):
    """``settled`` on the log's rows and the journal's entries as KeptBatches.get reads them."""
    return settled(snapshot, [RunRecord.from_row(row) for row in rows],
                   [RunRecord.from_row(entry["row"]) for entry in journal])


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
    now = _settled(snapshot, rows, journal)
    assert now.cells[0] == snapshot.cells[0]  # what had ended stays as it was
    assert now.cells[1].status == status and now.done is done
    assert now.cells[1].index == 1 and now.cells[1].row == "p1-s1"  # its place in the grid is kept
    completed = 1 + (status == "completed")
    assert now.totals.counts["completed"] == completed and now.totals.spent_usd == pytest.approx(0.5 * completed)


def test_a_cell_served_by_another_endpoint_is_warned_about_once_settled():
    now = _settled(_snapshot(_cell(0, "queued")), [_row("e1", 1, served_by="other/model")], [])
    assert now.cells[0].served_by == "other/model" and "other/model" in now.warnings[0]


def test_an_extension_never_sends_again_a_cell_whose_submit_answer_was_lost(playground):
    """A cell whose row says fal may have it (its request id never arrived) is kept as it is by an extension, and
    the plan says why; a cell that simply failed runs again."""
    import asyncio
    from dataclasses import replace

    from playground.compare.cells import CellStatus
    from playground.errors import MAY_HAVE_RUN

    from conftest import LITE_T2V, PRO_T2V
    from test_compare import plan_text

    visitor = playground.sessions.visitor(session="me")
    base = {"prompts": ["a kite, lost answers"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [1, 2],
            "arguments": {"resolution": "480p", "duration": "2"}}

    async def run():
        return [s async for s in playground.comparisons.run(base, visitor)][-1]

    final = asyncio.run(run())
    stored = playground.comparisons.store.load(final["batch_id"], visitor.owner)
    lost, failed, *others = stored.snapshot.cells
    lost = replace(lost, status=CellStatus.FAILED,
                   error=f"the app stopped while submitting this request; {MAY_HAVE_RUN}, but …")
    failed = replace(failed, status=CellStatus.FAILED, error="fal.ai had a server error (HTTP 500)")
    playground.comparisons.store.save(replace(stored.snapshot, cells=(lost, failed, *others)), visitor.owner,
                                      stored.spec)
    arranged = playground.comparisons.arrange({**base, "seeds": [1, 2, 3], "extend": final["batch_id"]}, visitor)
    assert lost.index in arranged.kept and failed.index not in arranged.kept
    assert len(arranged.new) == 3  # the failed cell and seed 3's two
    assert "1 of them lost their submit's answer" in plan_text(
        playground, {**base, "seeds": [1, 2, 3], "extend": final["batch_id"]}, visitor)


def test_a_batch_kept_by_an_earlier_version_is_voted_on_and_extended(playground):
    """A file as the first kept batches were written (no "paid", no cell "origin", no billed cost or served_by):
    `/vote` takes a vote on it and an extension keeps its two cells and runs only the new seed's."""
    import json

    from conftest import LITE_T2V, PRO_T2V

    visitor = playground.sessions.visitor(session="me")
    arguments = {"resolution": "480p", "duration": "2"}
    cells = [{"run_id": f"r{i}", "request_id": "", "endpoint_id": endpoint, "backend": "offline", "status": "completed",
              "seed": 7, "width": 864, "height": 480, "fps": 24.0, "frames": 49, "duration_s": 2.04,
              "estimated_cost_usd": 0.1, "video_path": f"/nowhere/r{i}.mp4", "video_url": "", "error": "",
              "batch_id": "00000000abcd", "queue_s": None, "run_s": 1.0, "total_s": 1.0, "billed_units": "",
              "checks": "ok", "has_audio": False, "reused_from": "", "reused_on": "", "cell": i, "row": "p1-s7",
              "row_label": "prompt 1 · seed 7", "prompt_index": 0, "prompt": "an old kite", "label": label,
              "position": None, "last_log": ""} for i, (endpoint, label) in enumerate([(LITE_T2V, "1.0 Lite"),
                                                                                        (PRO_T2V, "1.0 Pro")])]
    record = {"owner": visitor.owner, "spec": {"prompts": ["an old kite"], "endpoints": [LITE_T2V, PRO_T2V],
                                               "seeds": [7], "arguments": arguments, "overrides": {}},
              "snapshot": {"batch_id": "00000000abcd", "backend": "offline", "done": True, "cells": cells,
                           "fairness": [], "total_usd": 0.2, "warnings": [], "notes": [], "spent_usd": 0.0,
                           "billed_usd": None, "billed_unknown": 0,
                           "counts": {"completed": 2, "failed": 0, "cancelled": 0, "timed_out": 0}}}
    folder = playground.comparisons.store.directory
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "00000000abcd.json").write_text(json.dumps(record), encoding="ascii")
    said = playground.comparisons.voting.vote_by_id("00000000abcd", "1 × 7", "B", visitor)
    assert (said["winner"], said["candidates"], said["replaced"]) == (PRO_T2V, [LITE_T2V, PRO_T2V], "")
    arranged = playground.comparisons.arrange({"prompts": ["an old kite"], "endpoints": [LITE_T2V, PRO_T2V],
                                               "seeds": [7, 8], "arguments": arguments, "extend": "00000000abcd"},
                                              visitor)
    assert sorted(arranged.kept) == [0, 1] and [c.seed for c in arranged.new] == [8, 8]
    assert arranged.kept[1].run_id == "r1" and arranged.kept[1].status == "completed"
