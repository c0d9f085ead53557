"""The comparison grid: synced rows per prompt × seed, and blind mode that hides who is who until the vote."""

from playground.compare.grid import blind_order, grid_html, shown_cells

ENDPOINTS = [("lite", "1.0 Lite", 0.035), ("pro", "1.0 Pro", 0.048), ("fast", "1.0 Pro Fast", 0.019), ("v2", "2.0", 0.54)]


def _snapshot(status="completed"):
    cells = []
    for row, seed in (("p1-s7", 7), ("p1-s9", 9)):
        for endpoint_id, label, cost in ENDPOINTS:
            cells.append({"cell": len(cells), "row": row, "row_label": f"prompt 1 · seed {seed}", "seed": seed,
                          "prompt": "a <b>bold</b> kite", "label": label, "endpoint_id": endpoint_id, "status": status,
                          "error": "" if status == "completed" else "fal said no", "estimated_cost_usd": cost,
                          "video_path": f"/data/outputs/{endpoint_id}-{seed}.mp4", "width": 864, "height": 480,
                          "duration_s": 2.0, "total_s": 3.0, "position": None})
    return {"batch_id": "b1", "cells": cells}


def _url(path):
    return "/file=" + path


def test_one_synced_row_per_prompt_and_seed():
    page = grid_html(_snapshot(), blind=False, revealed=set(), file_url=_url)
    assert page.count('class="sync-group"') == 2 and page.count("<video") == 8
    assert page.count('data-sync-action="play"') == 2 and "/file=/data/outputs/pro-9.mp4" in page
    assert all(label in page for _, label, _ in ENDPOINTS) and "$0.5400" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page  # prompts are escaped


def test_blind_mode_hides_names_and_costs_until_the_row_is_voted():
    page = grid_html(_snapshot(), blind=True, revealed={"p1-s9"}, file_url=_url)
    first, second = page.split('data-row="p1-s9"')
    assert not any(label in first for _, label, _ in ENDPOINTS) and "$" not in first
    assert all(f"Clip {letter}" in first for letter in "ABCD")
    assert all(label in second for _, label, _ in ENDPOINTS)  # the voted row is revealed


def test_blind_order_is_shuffled_but_stable():
    cells = _snapshot()["cells"][:4]
    order = [cell["endpoint_id"] for _, cell in blind_order("b1", "p1-s7", cells)]
    assert order == [cell["endpoint_id"] for _, cell in blind_order("b1", "p1-s7", cells)]
    others = {tuple(c["endpoint_id"] for _, c in blind_order(f"batch-{i}", "p1-s7", cells)) for i in range(12)}
    assert len(others) > 1  # other batches get other orders
    assert [label for label, _ in shown_cells(_snapshot(), "p1-s7", True, set())] == ["Clip A", "Clip B", "Clip C",
                                                                                         "Clip D"]


def test_unfinished_cells_show_their_status():
    page = grid_html(_snapshot(status="failed"), blind=False, revealed=set(), file_url=_url)
    assert "<video" not in page and page.count("failed: fal said no") == 8


def test_empty_state():
    assert "Run a comparison" in grid_html(None, False, set(), _url)
