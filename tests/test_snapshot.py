"""A batch as typed records (compare/cells.py, compare/snapshot.py): the `/compare` answer key for key, kept files of
every age read back, a cell's own statuses, and the counts and cost after worked out from the cells."""

import asyncio
import json

import pytest

from playground.compare.cells import BatchCell, CellStatus, Origin
from playground.compare.grid import grid_html
from playground.compare.present import outcome_markdown
from playground.compare.snapshot import BatchSnapshot
from playground.record import RunRecord

from conftest import LITE_T2V, PRO_T2V

# The `/compare` answer as the code before the typed snapshot wrote it (batch.py, CellState.as_dict and
# Batch.snapshot): the keys in their order. A client reading the JSON sees exactly these.
ANSWER_KEYS = ["batch_id", "backend", "paid", "done", "cells", "fairness", "total_usd", "warnings", "notes",
               "spent_usd", "billed_usd", "billed_unknown", "counts", "origins"]
CELL_KEYS = ["run_id", "request_id", "endpoint_id", "backend", "status", "seed", "width", "height", "fps", "frames",
             "duration_s", "estimated_cost_usd", "video_path", "video_url", "error", "batch_id", "queue_s", "run_s",
             "total_s", "billed_units", "checks", "has_audio", "billed_cost_usd", "served_by", "flicker", "sharpness",
             "cuts", "loudness_db", "silence",  # the run's /generate
             "reused_from", "reused_on", "cell", "row", "row_label", "prompt_index", "prompt", "label", "position",
             "last_log", "origin"]
FAIRNESS_KEYS = ["cell", "endpoint_id", "label", "prompt_index", "seed", "asked", "sent", "changed", "output",
                 "served_by"]


def _answers(playground, spec):
    async def run():
        return [answer async for answer in playground.comparisons.run(spec, playground.sessions.visitor(session="me"))]
    return asyncio.run(run())


def test_the_compare_answer_keeps_its_keys_and_values(playground):
    """An offline batch of 1 prompt × 2 endpoints × 1 seed, every figure of its last answer worked out by hand."""
    answers = _answers(playground, {"prompts": ["a kite"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [5],
                                    "arguments": {"resolution": "480p", "duration": "2"}})
    final = answers[-1]
    assert list(final) == ANSWER_KEYS and all(list(cell) == CELL_KEYS for cell in final["cells"])
    assert all(list(row) == FAIRNESS_KEYS for row in final["fairness"])
    assert (final["backend"], final["paid"], final["done"]) == ("offline", False, True)
    assert final["counts"] == {"completed": 2, "failed": 0, "cancelled": 0, "timed_out": 0}
    assert final["origins"] == {"new": 2, "reused": 0, "kept": 0}
    assert (final["spent_usd"], final["billed_usd"], final["billed_unknown"]) == (0.0, None, 0)  # offline: unbilled
    lite, pro = final["cells"]
    assert (lite["cell"], lite["row"], lite["row_label"], lite["prompt_index"], lite["prompt"]) == (
        0, "p1-s5", "prompt 1 · seed 5", 0, "a kite")
    assert (lite["label"], pro["label"], lite["endpoint_id"], pro["endpoint_id"]) == ("1.0 Lite", "1.0 Pro", LITE_T2V,
                                                                                      PRO_T2V)
    assert all(c["status"] == "completed" and c["origin"] == "new" and c["position"] is None and c["seed"] == 5
               and c["batch_id"] == final["batch_id"] and (c["reused_from"], c["reused_on"]) == ("", "")
               for c in final["cells"])
    assert [f["cell"] for f in final["fairness"]] == [0, 1] and all(f["served_by"] == "" for f in final["fairness"])
    assert json.loads(json.dumps(final)) == final  # plain JSON values only
    assert all(isinstance(a["cells"][0]["status"], str) and type(a["cells"][0]["status"]) is str for a in answers)


def test_a_snapshot_reads_back_from_its_answer_exactly(playground):
    final = _answers(playground, {"prompts": ["a kite"], "endpoints": [LITE_T2V, PRO_T2V], "seeds": [5, 6],
                                  "arguments": {"resolution": "480p", "duration": "2"}})[-1]
    snapshot = BatchSnapshot.from_dict(json.loads(json.dumps(final)))
    assert snapshot.as_dict() == final
    assert BatchSnapshot.from_dict(snapshot.as_dict()) == snapshot  # the dict form is the whole of the typed one
    assert [cell.status for cell in snapshot.cells] == [CellStatus.COMPLETED] * 4
    assert snapshot.cells[0].run.video_path == final["cells"][0]["video_path"] != ""


# A kept file as the first version of kept batches wrote it (commit 82057d2): no "paid", no cell "origin",
# runs without billed_cost_usd or served_by.
OLD_CELL = {"run_id": "r1", "request_id": "q1", "endpoint_id": "e1", "backend": "fal", "status": "completed", "seed": 7,
            "width": 864, "height": 480, "fps": 24.0, "frames": 121, "duration_s": 5.04, "estimated_cost_usd": 0.25,
            "video_path": "/data/outputs/r1.mp4", "video_url": "https://v/r1.mp4", "error": "", "batch_id": "0123456789ab",
            "queue_s": 1.0, "run_s": 30.0, "total_s": 31.0, "billed_units": "", "checks": "ok", "has_audio": False,
            "reused_from": "", "reused_on": "", "cell": 0, "row": "p1-s7", "row_label": "prompt 1 · seed 7",
            "prompt_index": 0, "prompt": "a kite", "label": "E1", "position": None, "last_log": "done"}


@pytest.mark.parametrize("backend, paid, spent", [("fal", True, 0.5), ("offline", False, 0.0)])
def test_a_kept_file_written_before_paid_and_origin_reads_as_the_batch_it_was(backend, paid, spent):
    old = {"batch_id": "0123456789ab", "backend": backend, "done": True, "total_usd": 0.5, "warnings": [], "notes": [],
           "cells": [OLD_CELL, {**OLD_CELL, "run_id": "r2", "endpoint_id": "e2", "label": "E2", "cell": 1}],
           "fairness": [], "spent_usd": spent, "billed_usd": None, "billed_unknown": 0,
           "counts": {"completed": 2, "failed": 0, "cancelled": 0, "timed_out": 0}}
    snapshot = BatchSnapshot.from_dict(old)
    assert snapshot.paid is paid and all(cell.origin is Origin.NEW for cell in snapshot.cells)
    assert snapshot.cells[1].run.run_id == "r2" and snapshot.cells[1].run.has_audio is False
    answer = snapshot.as_dict()
    assert answer["origins"] == {"new": 2, "reused": 0, "kept": 0}  # what such a batch was: every cell run in it
    assert answer["spent_usd"] == spent and answer["billed_unknown"] == (2 if paid else 0)  # 2 × $0.25, no bill
    assert {k: v for k, v in answer["cells"][0].items() if k in OLD_CELL} == OLD_CELL


@pytest.mark.parametrize("missing", ["cells", "backend", "done", "fairness", "warnings", "total_usd"])
def test_a_kept_snapshot_missing_a_key_reads_with_its_default(missing):
    whole = {"batch_id": "0123456789ab", "backend": "fal", "done": True, "total_usd": 0.25, "warnings": ["w"],
             "cells": [OLD_CELL], "fairness": [{"cell": 0, "changed": [{"field": "duration", "asked": "2", "sent": "4",
                                                                         "why": "nearest"}]}]}
    snapshot = BatchSnapshot.from_dict({k: v for k, v in whole.items() if k != missing})
    assert snapshot.batch_id == "0123456789ab"
    assert len(snapshot.cells) == (0 if missing == "cells" else 1)
    assert snapshot.fairness == () if missing == "fairness" else snapshot.fairness[0].changed[0].sent == "4"


def test_a_cell_has_statuses_of_its_own_and_only_logged_ones_are_final():
    steps = ["waiting", "submitted", "queued", "running", "saving", "cancelling", "recovering", "interrupted"]
    ended = ["completed", "failed", "cancelled", "timed_out"]
    assert [status.value for status in CellStatus] == steps + ended
    assert [status.value for status in CellStatus if status.final] == ended
    assert CellStatus.read("no such status") is CellStatus.WAITING  # a kept file from elsewhere: settled, not trusted
    assert CellStatus.read(None) is CellStatus.WAITING and CellStatus.read("queued") is CellStatus.QUEUED


def _cell(index, status="completed", origin="new", cost=0.5, billed=None, served_by=""):
    return BatchCell(index, "p1-s1", "prompt 1 · seed 1", 0, "x", f"E{index}",
                     RunRecord(endpoint_id=f"e{index}", seed=1, estimated_cost_usd=cost, billed_cost_usd=billed,
                               served_by=served_by, video_path=f"/v/{index}.mp4"),
                     CellStatus(status), origin=Origin(origin))


@pytest.mark.parametrize("paid, spent, billed, unknown", [(True, 1.0, 0.25, 1), (False, 0.0, 0.25, 0)])
def test_totals_count_only_the_new_cells_spend(paid, spent, billed, unknown):
    """New and completed: $0.50 billed $0.25, and $0.50 with no bill; kept, reused and failed cells spend nothing."""
    cells = (_cell(0, billed=0.25), _cell(1), _cell(2, origin="kept"), _cell(3, origin="reused"), _cell(4, "failed"),
             _cell(5, "running"))
    totals = BatchSnapshot("0123456789ab", "any", paid, False, cells).totals
    assert (totals.spent_usd, totals.billed_usd, totals.billed_unknown) == (spent, billed, unknown)
    assert totals.counts == {"completed": 4, "failed": 1, "cancelled": 0, "timed_out": 0}
    assert totals.origins == {"new": 4, "reused": 1, "kept": 1}


@pytest.mark.parametrize("backend, paid, said", [
    ("fal", True, "estimated spend $1.0000 of $2.0000 planned · billed $0.2500"),
    ("another-paid-backend", True, "estimated spend $1.0000 of $2.0000 planned · billed $0.2500"),
    ("offline", False, "offline preview: nothing billed"),
    ("fal", False, "offline preview: nothing billed"),  # the backend's paid flag decides, not its name
])
def test_the_outcome_says_what_was_spent_where_the_backend_bills(backend, paid, said):
    snapshot = BatchSnapshot("0123456789ab", backend, paid, True, (_cell(0, billed=0.25), _cell(1)), total_usd=2.0)
    assert said in outcome_markdown(snapshot)
    assert outcome_markdown(snapshot) == outcome_markdown(BatchSnapshot.from_dict(snapshot.as_dict()))  # read back


def test_the_gallery_s_rendered_dicts_draw_the_grid_they_stand_for(tmp_path, catalog):
    """gallery.py keeps its rendered examples as the answer's dicts on disk and reads them back to draw them."""
    import asyncio
    import json

    from playground.gallery import Gallery

    rendered = {"batch_id": "gallery-x", "backend": "offline", "done": True, "warnings": [], "total_usd": 0.1,
                "cells": [{"cell": i, "row": "p1-s1", "row_label": "prompt 1 · seed 1", "prompt": "x", "prompt_index": 0,
                           "seed": 1, "label": f"E{i}", "endpoint_id": f"e{i}", "status": "completed", "error": "",
                           "estimated_cost_usd": 0.05, "video_path": f"/g/{i}.mp4", "width": 864, "height": 480,
                           "duration_s": 2.0, "total_s": None, "position": None} for i in range(2)]}
    gallery = Gallery(catalog, tmp_path)
    gallery.examples = [{"name": "x"}]
    gallery.out.mkdir(parents=True, exist_ok=True)
    (gallery.out / "x.json").write_text(json.dumps(rendered))
    page = asyncio.run(gallery.grids(lambda path: "/file=" + path))[0]  # rendered already: nothing renders again
    assert page == grid_html(BatchSnapshot.from_dict(rendered), False, set(), lambda path: "/file=" + path)
    assert page.count("<video") == 2 and "/file=/g/1.mp4" in page and "864×480, 2 s clip" in page
