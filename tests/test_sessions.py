"""Each session's runs are billed to its own key, and no key shows up anywhere a person or a file can see it.

The app runs as users start it (a child process), so its whole console is checked too.
"""

import json
from concurrent.futures import ThreadPoolExecutor

from gradio_client import Client

from app_process import AppProcess
from conftest import FAKE, LITE_T2V, SERVER_KEY

KEY_A = "a1b2c3d4-0000-4000-8000-00000000000a:5e55104a5e55104a5e55104a5e55104a"
KEY_B = "b1b2c3d4-0000-4000-8000-00000000000b:5e55104b5e55104b5e55104b5e55104b"
ARGS = {"prompt": "two visitors, two bills", "resolution": "480p", "duration": "2"}


def _session(url: str, key: str | None, seed: int) -> dict:
    client = Client(url, verbose=False)
    if key:
        assert client.predict(f"  {key}\n", api_name="/set_key")[0] == ""  # the box is emptied at once
    _, result = client.predict(LITE_T2V, json.dumps({**ARGS, "seed": seed}), api_name="/generate")
    return result


def _files_under(path) -> str:
    return "\n".join(p.read_bytes().decode("latin-1") for p in path.rglob("*") if p.is_file())


def test_two_sessions_two_keys_and_no_key_anywhere(tmp_path, fake_fal):
    data_dir = tmp_path / "data"
    app = AppProcess(data_dir, {**FAKE.env(), "FAL_KEY": SERVER_KEY}, tmp_path / "console.log").start()
    try:
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(_session, [app.url] * 3, [KEY_A, KEY_B, None], [1, 2, 3]))
        seen = {"page": app.get("/"), "config": app.get("/config"), "api info": app.get("/gradio_api/info"),
                "results and outputs": _files_under(data_dir), "answers": json.dumps(results)}
    finally:
        app.stop()
    seen["console"] = app.output()
    for result, key in zip(results, [KEY_A, KEY_B, SERVER_KEY], strict=True):
        assert result["status"] == "completed" and result["backend"] == "fal"
        requests = fake_fal.job_requests(result["request_id"])
        assert len(requests) >= 3  # submit, status polls, result
        assert {r.authorization for r in requests} == {f"Key {key}"}
    assert '\\"resolution\\"' in seen["config"]  # the tabs' code panes are in there (scanned below)
    assert json.loads(seen["config"])["run_history"] is False  # the browser keeps no copy of call inputs
    for secret in (KEY_A, KEY_B, SERVER_KEY):
        for part in {secret, *secret.split(":")}:
            for where, text in seen.items():
                assert part not in text, f"a key part showed up in the {where}"
