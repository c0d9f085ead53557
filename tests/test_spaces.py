"""The app as Hugging Face Spaces starts it: public mode, the server key kept or shared under a cap, each
visitor's own history, and no key anywhere a visitor (or the console) can see."""

import json
import re
from pathlib import Path

from gradio_client import Client
from gradio_client.exceptions import AppError

from app_process import AppProcess
from conftest import FAKE, LITE_T2V, SERVER_KEY

ROOT = Path(__file__).resolve().parent.parent
SPACES_ENV = {"SYSTEM": "spaces", "SPACE_ID": "someone/seedance-playground", "GRADIO_SERVER_NAME": "0.0.0.0"}
CHEAP = {"prompt": "a cheap draft", "resolution": "480p", "duration": "2", "seed": 1}  # $0.035 on Lite
DEAR = {"prompt": "an expensive one", "resolution": "1080p", "duration": "12", "seed": 2}  # $1.06 on Lite


def front_matter() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert block, "README.md must start with the Spaces front matter"
    return dict(line.split(": ", 1) for line in block.group(1).splitlines())


def test_readme_front_matter_configures_the_space():
    meta = front_matter()
    pinned = re.search(r"^gradio==(.+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert meta["sdk"] == "gradio" and meta["sdk_version"] == pinned
    assert meta["python_version"] == '"3.11"' and (ROOT / meta["app_file"]).is_file()
    assert len(meta["short_description"]) <= 60
    after = (ROOT / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    commands = [line.strip() for line in after.splitlines() if line.startswith("    ")][:2]
    assert commands[0].endswith(".venv/bin/python app.py") and commands[1] == "bash scripts/test.sh"


def _generate(url, arguments, key=None):
    client = Client(url, verbose=False)
    if key:
        client.predict(key, api_name="/set_key")
    return client, client.predict(LITE_T2V, json.dumps(arguments), api_name="/generate")[1]


def test_server_key_not_shared_visitors_get_offline_only(tmp_path, fake_fal):
    app = AppProcess(tmp_path / "data", {**FAKE.env(), **SPACES_ENV, "FAL_KEY": SERVER_KEY},
                     tmp_path / "console.log").start()
    try:
        first, result = _generate(app.url, CHEAP)
        assert result["backend"] == "offline" and result["status"] == "completed"
        second, other = _generate(app.url, {**CHEAP, "prompt": "someone else's draft"})
        assert [r["run_id"] for r in first.predict(50, api_name="/history")] == [result["run_id"]]
        assert [r["run_id"] for r in second.predict(50, api_name="/history")] == [other["run_id"]]
        seen = {"page": app.get("/"), "config": app.get("/config"), "api info": app.get("/gradio_api/info")}
    finally:
        app.stop()
    assert fake_fal.requests == []  # nothing reached fal: the server's key is not the visitors'
    seen["console"] = app.output()
    for where, text in seen.items():
        assert SERVER_KEY not in text and SERVER_KEY.split(":")[1] not in text, where
    assert "offline preview" in seen["config"]


def test_shared_server_key_under_a_cap(tmp_path, fake_fal):
    env = {**FAKE.env(), **SPACES_ENV, "FAL_KEY": SERVER_KEY, "PLAYGROUND_SHARE_SERVER_KEY": "1",
           "PLAYGROUND_SESSION_CAP_USD": "0.50"}
    app = AppProcess(tmp_path / "data", env, tmp_path / "console.log").start()
    try:
        client, result = _generate(app.url, CHEAP)
        assert result["backend"] == "fal" and result["status"] == "completed"
        submitted = len(fake_fal.seen("POST", LITE_T2V))
        try:
            client.predict(LITE_T2V, json.dumps(DEAR), api_name="/generate")
            raise AssertionError("the run over the cap should have been refused")
        except AppError as exc:
            message = str(exc)
        assert "$0.50 per-visitor cap" in message and "own fal key" in message
        assert len(fake_fal.seen("POST", LITE_T2V)) == submitted  # nothing submitted for the refused run
        rows = client.predict(50, api_name="/history")
        assert [r["run_id"] for r in rows] == [result["run_id"]]  # and nothing logged
        page, config = app.get("/"), app.get("/config")
    finally:
        app.stop()
    for text in (page, config, app.output(), message):
        assert SERVER_KEY not in text and SERVER_KEY.split(":")[1] not in text
