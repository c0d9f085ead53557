"""The in-flight journal: durable entries, oldest first, removal, and what it does with damaged files."""

import json

import pytest

from playground.journal import Journal


def _entry(run_id, created="2026-11-23T10:00:00"):
    return {"run_id": run_id, "created_at": created, "request_id": f"req-{run_id}", "key_fingerprint": "ab12",
            "resume": {"status_url": "https://q/x/status"}, "row": {"run_id": run_id, "endpoint_id": "a/b"}}


def test_add_pending_remove(tmp_path):
    journal = Journal(tmp_path / "inflight")
    assert journal.pending() == []
    journal.add(_entry("b", "2026-11-23T10:00:02"))
    journal.add(_entry("a", "2026-11-23T10:00:01"))
    assert [e["run_id"] for e in journal.pending()] == ["a", "b"]  # oldest first
    assert not list((tmp_path / "inflight").glob("*.tmp"))  # written under its final name only
    journal.remove("a")
    journal.remove("a")  # removing twice is harmless
    assert [e["run_id"] for e in journal.pending()] == ["b"]
    assert json.loads((tmp_path / "inflight" / "b.json").read_text())["request_id"] == "req-b"


def test_damaged_files_are_skipped_and_kept(tmp_path):
    journal = Journal(tmp_path)
    journal.add(_entry("good"))
    (tmp_path / "torn.json").write_text('{"run_id": "torn", "request')
    (tmp_path / "other.json").write_text(json.dumps(_entry("not-other")))
    assert [e["run_id"] for e in journal.pending()] == ["good"]
    assert (tmp_path / "torn.json").exists() and (tmp_path / "other.json").exists()


@pytest.mark.parametrize("run_id", ["../escape", "a/b", "", "x" * 65])
def test_run_ids_cannot_name_other_files(tmp_path, run_id):
    with pytest.raises(ValueError):
        Journal(tmp_path).add(_entry(run_id))
