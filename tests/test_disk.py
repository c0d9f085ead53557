"""A disk that refuses writes, met as the app meets it: a real full filesystem (a small tmpfs) and real read-only
mounts, each in a mount namespace of the test's own (``unshare``: no privileges needed, nothing outside changes).

- A paid run whose video cannot be saved (disk full) is `completed`, keeps fal's URL and says "not saved locally"
  in words, not a raw errno.
- At start-up, a data directory (or a log in it) that cannot be written stops the app with one clear message.
- History reads a read-only results log, malformed rows and all.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from gradio_client import Client

from app_process import ROOT, AppProcess
from conftest import FAKE, LITE_T2V, SERVER_KEY

ARGS = {"prompt": "a boat on a full disk", "resolution": "480p", "duration": "2", "seed": 3}


def namespace(script: str) -> tuple[str, ...]:
    """A command prefix: in a new user and mount namespace, run ``script`` (mounts), then the command."""
    return ("unshare", "--user", "--map-root-user", "--mount", "sh", "-ec", script + '\nexec "$@"', "sh")


def read_only(path: Path) -> str:
    return f'mount --bind "{path}" "{path}"\nmount -o remount,bind,ro "{path}"'


def test_a_paid_run_on_a_full_disk_is_completed_with_its_url_and_says_why(tmp_path, fake_fal):
    data_dir = tmp_path / "data"
    outputs = data_dir / "outputs"
    outputs.mkdir(parents=True)
    full = (f'mount -t tmpfs -o size=64k tmpfs "{outputs}"\n'
            f'head -c 40960 /dev/zero > "{outputs}/.ballast"')  # room for the start-up check, not for a video
    video = fake_fal.video
    fake_fal.video = video + b"\0" * 400_000  # a result bigger than the room left
    app = AppProcess(data_dir, {**FAKE.env(), "FAL_KEY": SERVER_KEY}, tmp_path / "console.log",
                     prefix=namespace(full)).start()
    try:
        _, answer = Client(app.url, verbose=False).predict(LITE_T2V, json.dumps(ARGS), api_name="/generate")
    finally:
        app.stop()
        fake_fal.video = video
    assert answer["status"] == "completed" and answer["video_url"].startswith("https://") and not answer["video_path"]
    assert "not saved locally" in answer["error"] and "the disk is full" in answer["error"]
    assert "Errno" not in answer["error"]
    (row,) = pd.read_csv(data_dir / "results.csv", dtype=str, keep_default_na=False).to_dict(orient="records")
    assert row["status"] == "completed" and row["video_url"] == answer["video_url"] and row["request_id"]
    assert "the disk is full" in row["error"]
    assert not list((data_dir / "inflight").glob("*.json"))  # its row is written: nothing left to recover


@pytest.mark.parametrize("what, expected", [
    ("results.csv", "results.csv (the disk is mounted read-only"),
    ("votes.csv", "votes.csv (the disk is mounted read-only"),
    ("outputs", "outputs/ (the disk is mounted read-only"),
    (".", "cannot be written: the disk is mounted read-only"),
])
def test_a_data_directory_that_cannot_be_written_stops_the_app_with_a_clear_message(tmp_path, what, expected):
    data_dir = tmp_path / "data"
    (data_dir / "outputs").mkdir(parents=True)
    for log in ("results.csv", "votes.csv"):
        (data_dir / log).write_text('"run_id"\n')
    app = AppProcess(data_dir, {}, tmp_path / "console.log", prefix=namespace(read_only(data_dir / what)))
    with pytest.raises(RuntimeError, match="exited with 1"):
        app.start(timeout_s=60)
    said = app.output()
    assert "Seedance Playground cannot start" in said and expected in said, said[-2000:]
    assert "Traceback" not in said


def test_history_reads_a_read_only_results_log_with_malformed_rows(tmp_path, catalog):
    """History (and every reader) on a results log that cannot be written: rows are read, unreadable ones skipped
    and left in place, and the page info says so."""
    from playground.record import COLUMNS, RunRecord

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    rows = [RunRecord(run_id=f"r{i:015d}", created_at=f"2026-12-0{i + 1}T10:00:00", backend="offline",
                      endpoint_id=LITE_T2V, status="completed", prompt=f"prompt {i}").to_row() for i in range(3)]
    lines = [",".join(f'"{c}"' for c in COLUMNS)] + [",".join(f'"{row[c]}"' for c in COLUMNS) for row in rows]
    lines.insert(2, '"broken","row","with too few fields"')
    (data_dir / "results.csv").write_text("\n".join(lines) + "\n")
    script = ("import json, sys; from playground.catalog import load_catalog; from playground.service import "
              "Playground; from playground.history import Filters; p = Playground(load_catalog(), sys.argv[1]); "
              "table, number, info, ids = p.history.page(Filters(), 1, p.sessions.visitor()); "
              "print(json.dumps([ids, info]))")
    done = subprocess.run([*namespace(read_only(data_dir / "results.csv")), sys.executable, "-c", script,
                           str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    ids, info = json.loads(done.stdout.strip().splitlines()[-1])
    assert ids == [f"r{i:015d}" for i in (2, 1, 0)]  # every readable row, newest first
    assert "1 unreadable row(s) are skipped and left in results.csv, which cannot be written" in info
    assert (data_dir / "results.csv").read_text().count("broken") == 1  # nothing was changed


@pytest.mark.parametrize("spaces, mounted, warned", [
    (True, False, True),  # a Space, the data on the container's disk: lost on restart, said at start-up
    (True, True, False),  # a Space, the data on a mounted volume (a bucket: here a tmpfs of its own)
    (False, False, False),  # not a Space: the operator's disk is theirs to know
])
def test_on_a_space_a_data_dir_on_the_ephemeral_disk_is_warned_about(tmp_path, spaces, mounted, warned):
    data_dir = ROOT / "test-artifacts" / f"ephemeral-{tmp_path.name}"  # on the disk the app's code is on, as on a Space
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    prefix = namespace(f'mount -t tmpfs -o size=4m tmpfs "{data_dir}"') if mounted else ()
    env = {"SYSTEM": "spaces", "SPACE_ID": "seedance/test", "PLAYGROUND_PUBLIC": "0"} if spaces else {}
    app = AppProcess(data_dir, env, tmp_path / "console.log", prefix=prefix).start()
    app.stop()
    console = app.output()
    assert f"data directory: {data_dir}" in console  # where the data lives, always said
    assert ("ephemeral disk" in console and "Storage Bucket" in console) is warned, console[-2000:]
    shutil.rmtree(data_dir, ignore_errors=True)
