"""Snippets: runnable shapes, the $FAL_KEY placeholder, never a key or an inline file."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from playground.snippets import snippets

from conftest import data_uri, image_bytes

ARGS = {"prompt": "it's a \"test\"", "image_url": data_uri(image_bytes(40, 40)), "camera_fixed": True, "seed": None}


def test_snippets_use_placeholders():
    out = snippets("fal-ai/bytedance/seedance/v1/pro/fast/image-to-video", ARGS)
    compile(out["python"], "snippet.py", "exec")
    assert "FAL_KEY" in out["python"] and "FAL_KEY" in out["javascript"] and '"Authorization: Key $FAL_KEY"' in out["curl"]
    for text in out.values():
        assert "base64,iVBOR" not in text and "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video" in text
    body = json.loads(shlex.split(out["curl"].split("-d ", 1)[1])[0])
    assert body["prompt"] == ARGS["prompt"] and body["camera_fixed"] is True


# Prompts a snippet must carry exactly, through its own language's quoting and its client's JSON
PROMPTS = [
    'she said "hi" and it\'s fine',
    "back\\slash \\n not a newline, a real one:\nthere, and \r\n and \r too",
    "$HOME ${PATH} `ls` $(whoami) %s %d {0} \\u0041",
    "true false null None True NaN Infinity -0, and JSON inside: {\"a\": true, \"b\": null}",
    "emoji 🎬🦊, CJK 漢字, RTL שלום, combining é, \u2028 \u2029 \u0085 \t tab, \x00 nul",
    "</script><script>alert(1)</script> '; DROP TABLE runs; --",
]
ENDPOINT = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
TEST_KEY = "snippet-test-key:0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def shown(client):
    """For each prompt: the request JSON a tab shows and its code, from the named API `/snippets`."""
    cases = []
    for i, prompt in enumerate(PROMPTS):
        arguments = {"prompt": prompt, "resolution": "480p", "duration": "2", "seed": 100 + i, "camera_fixed": True}
        code = json.loads(json.dumps(client.predict(ENDPOINT, json.dumps(arguments), api_name="/snippets")))
        cases.append((arguments, code))
    return cases


def _received(fake_fal, count):
    submits = [s for s in fake_fal.seen("POST") if s.path == f"/{ENDPOINT}"]
    assert len(submits) == count, [s.path for s in fake_fal.seen()]
    for submit in submits:
        assert submit.authorization == f"Key {TEST_KEY}"
    return [json.loads(s.body) for s in submits]


def test_the_python_snippet_sends_what_the_tab_shows(shown, fake_fal, tmp_path):
    for arguments, code in shown:
        path = tmp_path / "snippet.py"
        path.write_text(code["python"], encoding="utf-8")
        env = {**os.environ, **fake_fal.env(), "FAL_KEY": TEST_KEY}
        done = subprocess.run([sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert fake_fal.base_url + "/files/" in done.stdout  # it ran to the result, printing the video URL
    assert _received(fake_fal, len(shown)) == [arguments for arguments, _ in shown]


def test_the_javascript_snippet_sends_what_the_tab_shows(shown, fake_fal, tmp_path):
    js = ROOT / "tests" / "js"
    assert (js / "node_modules" / "@fal-ai" / "client").is_dir(), "scripts/test.sh installs @fal-ai/client"
    for arguments, code in shown:
        path = js / f"snippet-{os.getpid()}.mjs"  # beside node_modules, so the import resolves
        path.write_text(code["javascript"], encoding="utf-8")
        env = {**os.environ, "FAL_KEY": TEST_KEY, "FAKE_FAL_BASE": fake_fal.base_url,
               "NODE_EXTRA_CA_CERTS": str(fake_fal.ca_path)}
        try:
            done = subprocess.run(["node", "--import", "./to-fake-fal.mjs", path.name], cwd=js, env=env,
                                  capture_output=True, text=True, timeout=120)
        finally:
            path.unlink(missing_ok=True)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "/files/" in done.stdout
    assert _received(fake_fal, len(shown)) == [arguments for arguments, _ in shown]


def test_the_curl_snippet_sends_what_the_tab_shows(shown, fake_fal, tmp_path):
    port = fake_fal.host.rsplit(":", 1)[1]
    (tmp_path / ".curlrc").write_text(f'connect-to = "queue.fal.run:443:127.0.0.1:{port}"\n'
                                      f'cacert = "{fake_fal.ca_path}"\n', encoding="utf-8")
    for arguments, code in shown:
        env = {**os.environ, "FAL_KEY": TEST_KEY, "CURL_HOME": str(tmp_path), "HOME": str(tmp_path)}
        done = subprocess.run(["bash", "-c", code["curl"]], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["status"] == "IN_QUEUE"
    assert _received(fake_fal, len(shown)) == [arguments for arguments, _ in shown]
