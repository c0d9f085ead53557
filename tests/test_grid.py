"""The comparison grid: synced rows per prompt × seed, and blind mode that hides who is who until the vote."""

from playground.compare.grid import blind_order, grid_html, shown_cells
from playground.compare.snapshot import BatchSnapshot

typed = BatchSnapshot.from_dict  # the tests write a batch as its `/compare` answer, then read it as the app does

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
    page = grid_html(typed(_snapshot()), blind=False, revealed=set(), file_url=_url)
    assert page.count('class="sync-group"') == 2 and page.count("<video") == 8
    assert page.count('data-sync-action="play"') == 2 and "/file=/data/outputs/pro-9.mp4" in page
    assert all(label in page for _, label, _ in ENDPOINTS) and "$0.5400" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page  # prompts are escaped


def test_blind_mode_hides_names_and_costs_until_the_row_is_voted():
    page = grid_html(typed(_snapshot()), blind=True, revealed={"p1-s9"}, file_url=_url)
    first, second = page.split('data-row="p1-s9"')
    assert not any(label in first for _, label, _ in ENDPOINTS) and "$" not in first
    assert all(f"Clip {letter}" in first for letter in "ABCD")
    assert all(label in second for _, label, _ in ENDPOINTS)  # the voted row is revealed


def test_blind_order_is_shuffled_but_stable():
    cells = list(typed(_snapshot()).cells[:4])
    order = [cell.endpoint_id for _, cell in blind_order("b1", "p1-s7", cells)]
    assert order == [cell.endpoint_id for _, cell in blind_order("b1", "p1-s7", cells)]
    others = {tuple(c.endpoint_id for _, c in blind_order(f"batch-{i}", "p1-s7", cells)) for i in range(12)}
    assert len(others) > 1  # other batches get other orders
    assert [label for label, _ in shown_cells(typed(_snapshot()), "p1-s7", True, set())] == ["Clip A", "Clip B",
                                                                                                "Clip C", "Clip D"]


def test_unfinished_cells_show_their_status():
    page = grid_html(typed(_snapshot(status="failed")), blind=False, revealed=set(), file_url=_url)
    assert "<video" not in page and page.count("failed: fal said no") == 8


def test_empty_state():
    assert "Run a comparison" in grid_html(None, False, set(), _url)


def _clip_paths(html_text):
    """Each clip's place as Gradio's position-by-position patch sees it: the (index, tag) of every element from
    the grid down to its <video>. A clip whose place changes is replaced, and a replaced clip stops playing."""
    from html.parser import HTMLParser

    void = {"input", "br", "img", "hr", "meta", "source"}
    paths, stack = {}, [[0, "root"]]

    class Walk(HTMLParser):
        def handle_starttag(self, tag, attrs):
            parent = stack[-1]
            parent[0] += 1
            here = (parent[0] - 1, tag)
            if tag == "video":
                paths[dict(attrs)["data-clip"]] = [*(entry[2] for entry in stack[1:]), here]
            if tag not in void:
                stack.append([0, tag, here])

        def handle_endtag(self, tag):
            if tag not in void:
                stack.pop()

    Walk().feed(html_text)
    return paths


def test_a_row_keeps_its_clips_in_place_when_a_vote_reveals_it():
    """A voted row (revealed, its keys now changing the vote) or a row without a timing note keeps the same
    elements, hidden where empty, in the same places."""
    snapshot = typed(_snapshot())
    before = grid_html(snapshot, blind=True, revealed=set(), file_url=_url, votes=True)
    after = grid_html(snapshot, blind=True, revealed={"p1-s7"}, file_url=_url, votes=True)
    assert before.count("<kbd>1</kbd>") == 2 and after.count("<kbd>1</kbd>") == 2  # a vote can be changed
    assert len(_clip_paths(before)) == 8 and _clip_paths(before) == _clip_paths(after)
    assert _clip_paths(grid_html(snapshot, blind=True, revealed={"p1-s7"}, file_url=_url)) == _clip_paths(after)


def test_keys_and_wipe_only_where_they_can_act():
    snapshot = _snapshot()
    for cell in snapshot["cells"][1:4]:  # the first row has one finished clip left: nothing to vote on or wipe
        cell["status"] = "failed"
    page = grid_html(typed(snapshot), blind=False, revealed=set(), file_url=_url, votes=True)
    first, second = page.split('data-row="p1-s9"')
    assert "data-wipe " not in first and "data-votes" not in first
    assert "data-wipe " in second and second.count("<option value=") == 2 * 4 + 5  # both sides list 4 clips; speeds
    assert "data-votes" not in grid_html(typed(_snapshot()), blind=False, revealed=set(), file_url=_url)  # none asked


def _lengths(*pairs, failed=()):
    snapshot = _snapshot()
    for cell, (length, fps) in zip(snapshot["cells"], pairs, strict=False):
        cell["duration_s"], cell["fps"] = length, fps
    for index in failed:
        snapshot["cells"][index]["status"] = "failed"
    return typed(snapshot)


def test_a_row_of_clips_that_differ_in_length_or_rate_plays_on_normalised_time_and_says_so():
    from playground.compare.grid import timing_note

    same = _lengths((5.0, 24), (5.02, 24), (5.0, 24), (5.0, 24))
    assert timing_note(list(same.cells[:4])) == ""
    assert 'data-row="p1-s7" data-sync="plain"' in grid_html(same, blind=False, revealed=set(), file_url=_url)
    longer = _lengths((5.0, 24), (5.0, 24), (10.0, 24), (5.0, 24))
    assert "length (5 s, 10 s)" in timing_note(list(longer.cells[:4]))
    assert 'data-sync="normalised"' in grid_html(longer, blind=False, revealed=set(), file_url=_url)
    assert 'data-sync="normalised"' in grid_html(longer, blind=True, revealed={"p1-s7"}, file_url=_url)
    assert 'data-sync="shortest"' in grid_html(longer, blind=True, revealed=set(), file_url=_url)  # not yet voted
    faster = _lengths((5.0, 24), (5.0, 30), (5.0, 24), (5.0, 24))
    assert "frame rate (24 fps, 30 fps)" in timing_note(list(faster.cells[:4]))
    failed = _lengths((5.0, 24), (10.0, 30), (5.0, 24), (5.0, 24), failed=[1])  # a clip that did not finish
    assert timing_note(list(failed.cells[:4])) == ""  # does not count


def _mixed(snapshot):
    """Row p1-s7 as 1.0 (silent, 2 s) beside 2.0 (sound, 4 s): what a blind row must not give away."""
    for cell in snapshot["cells"]:
        cell["has_audio"] = cell["endpoint_id"] == "v2"
        cell["duration_s"] = 4.0 if cell["endpoint_id"] == "v2" else 2.0
    return typed(snapshot)


def _row(page, row):
    return page.split(f'data-row="{row}"')[1].split("</section>")[0]


def test_a_blind_row_shows_nothing_that_differs_by_tier_before_the_vote():
    page = grid_html(_mixed(_snapshot()), blind=True, revealed={"p1-s9"}, file_url=_url, votes=True)
    hidden, voted = _row(page, "p1-s7"), _row(page, "p1-s9")
    assert "No sound" not in hidden and "Sound: off" not in hidden and hidden.count("Sound after your vote") == 4
    assert "differ" not in hidden and "2 s" not in hidden and "4 s" not in hidden
    assert 'data-sync="shortest"' in page.split('data-row="p1-s7"')[1].split(">")[0]
    # once voted, the row says what differs and offers sound where there is sound
    assert "No sound" in voted and "Sound: off" in voted and "differ in length (2 s, 4 s)" in voted
    assert 'data-sync="normalised"' in page.split('data-row="p1-s9"')[1].split(">")[0]


def test_a_voted_row_keeps_its_vote_keys_to_change_the_vote():
    page = grid_html(typed(_snapshot()), blind=False, revealed={"p1-s9"}, file_url=_url, votes=True)
    assert "Voted: change your vote with the keys" in _row(page, "p1-s9")
    assert "Vote with the keys" in _row(page, "p1-s7")
    assert page.count("data-votes") == 2
