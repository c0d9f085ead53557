"""Who owns what: a private deployment is one workspace (every visitor reuses, opens, votes on and exports every
run and batch); a public one keeps each visitor's work theirs, found again by key or by Hugging Face sign-in, and
tells a visitor with neither that their work is tied to this tab."""

import asyncio

import pytest

from playground.backends.offline import OfflineBackend
from playground.config import FalSettings, PublicMode
from playground.errors import InputError
from playground.history import Filters
from playground.service import Playground

from conftest import LITE_T2V, PRO_FAST_T2V

BASE = {"prompts": ["a kite at dusk"], "endpoints": [LITE_T2V, PRO_FAST_T2V], "seeds": [3],
        "arguments": {"resolution": "480p", "duration": "2"}}
VISITOR_KEY = "vis-1a2b3c4d:5e6f7a8b9c0d1e2f3a4b5c6d"


def _app(data_dir, catalog, public: bool) -> Playground:
    return Playground(catalog, data_dir, "auto", offline=OfflineBackend(step_delay_s=0),
                      fal_settings=FalSettings(timeout_s=20), public=PublicMode(on=public))


def _compare(app: Playground, visitor, spec=BASE) -> str:
    async def go():
        return [s async for s in app.comparisons.batches(spec, visitor)][-1]
    final = asyncio.run(go())
    assert final.done and all(c.status.final for c in final.cells)
    return final.batch_id


def _history_ids(app: Playground, visitor) -> set[str]:
    runs, *_ = app.revisits.page(Filters(), 1, owners=visitor.owners)
    return {run.run_id for run in runs}


def test_a_private_deployment_is_one_workspace(tmp_path, catalog):
    app = _app(tmp_path / "data", catalog, public=False)
    first, teammate = app.sessions.visitor(session="tab-1"), app.sessions.visitor(session="tab-2", name="Bo")
    batch = _compare(app, first)
    assert _history_ids(app, teammate) == _history_ids(app, first) and len(_history_ids(app, first)) == 2
    assert [batch_id for _, batch_id in app.compare.open_choices(teammate)] == [batch]
    snapshot, _ = app.compare.open(batch, False, str, teammate)
    said, _ = app.compare.vote(snapshot, "p1-s3", snapshot.cells[0].label, False, str, teammate)
    assert said.endswith("as **Bo**")
    assert app.comparisons.votes.current().judge.tolist() == ["Bo"]
    assert app.comparisons.arrange({**BASE, "reuse": True}, teammate).reused  # reuse finds the first tab's runs
    assert app.compare.export_row(snapshot, "p1-s3", False, None, teammate).stat().st_size > 0


def test_a_public_deployment_keeps_each_visitors_work_theirs(tmp_path, catalog):
    app = _app(tmp_path / "data", catalog, public=True)
    owner, stranger = app.sessions.visitor(session="tab-1"), app.sessions.visitor(session="tab-2")
    batch = _compare(app, owner)
    assert _history_ids(app, stranger) == set() and app.compare.open_choices(stranger) == []
    with pytest.raises(InputError, match="no comparison of yours"):
        app.compare.open(batch, False, str, stranger)
    with pytest.raises(InputError, match="no comparison of yours"):
        app.api.vote(batch, "1 × 3", "A", stranger)
    assert not app.comparisons.arrange({**BASE, "reuse": True}, stranger).reused
    assert app.sessions.identity_notice(None, None).startswith("ℹ️ Your runs")  # tied to this tab, and said so
    assert app.sessions.identity_notice(VISITOR_KEY, None) == app.sessions.identity_notice(None, "ada") == ""


@pytest.mark.parametrize("first, later", [
    ({"session": "tab-1", "account": "ada"}, {"session": "tab-9", "account": "ada"}),  # signed in, another browser
    ({"session": "tab-1", "key": VISITOR_KEY}, {"session": "tab-9", "key": VISITOR_KEY}),  # the same key again
    ({"session": "tab-1", "key": VISITOR_KEY}, {"session": "tab-9", "key": VISITOR_KEY, "account": "ada"}),  # then signed in
])
def test_on_a_public_deployment_a_key_or_a_sign_in_finds_the_work_again(tmp_path, catalog, fake_fal, first, later):
    app = _app(tmp_path / "data", catalog, public=True)
    before, after = app.sessions.visitor(**first), app.sessions.visitor(**later)
    batch = _compare(app, before)
    assert _history_ids(app, after) == _history_ids(app, before) != set()
    assert [b for _, b in app.compare.open_choices(after)] == [batch]
    assert app.api.vote(batch, "1 × 3", "tie", after)["judge"] == after.judge
    other = app.sessions.visitor(session="tab-9", account="bob")
    assert _history_ids(app, other) == set()  # another account sees none of it


@pytest.mark.parametrize("raw, name", [
    ("  Ada\n Lovelace ", "Ada Lovelace"), ("a\u2028b\u2029c\x85d\r\ne\x0bf\x0cg", "a b c d e f g"),
    ("\ud800x", "x"), ("", ""), ("\x00\x1b", ""), ("é" * 100, "é" * 60), ("hf:ada", "ada"), ("HF: hf:x", "x"),
])
def test_a_judge_name_is_one_clean_line_and_never_poses_as_a_sign_in(tmp_path, catalog, raw, name):
    app = _app(tmp_path / "data", catalog, public=False)
    visitor = app.sessions.visitor(session="s", name=raw)
    assert visitor.name == name
    assert visitor.judge == (name or visitor.owner)
    assert app.sessions.visitor(session="s", name=raw, account="ada").judge == "hf:ada"  # a real sign-in wins
