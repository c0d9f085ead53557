"""Snippets: each runs as shown with its own real client (fal_client, @fal-ai/client under Node, curl under a POSIX
sh) against the fake fal, with the $FAL_KEY placeholder, and sends exactly the request JSON the tab shows; a file
that is not a URL is uploaded first with the client's own storage call, from a path placeholder."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from playground.present import code_panes
from playground.snippets import plan, snippets

from browser_kit import DESKTOP, PHONE, open_page, shoot
from conftest import LITE_I2V, PRO_FAST_I2V, V2_R2V, data_uri, image_bytes

ARGS = {"prompt": "it's a \"test\"", "image_url": data_uri(image_bytes(40, 40)), "camera_fixed": True, "seed": None}


def test_snippets_use_placeholders():
    out = snippets("fal-ai/bytedance/seedance/v1/pro/fast/image-to-video", ARGS)
    compile(out["python"], "snippet.py", "exec")
    assert "FAL_KEY" in out["python"] and "FAL_KEY" in out["javascript"] and '"Authorization: Key $FAL_KEY"' in out["curl"]
    for text in out.values():
        assert "base64,iVBOR" not in text and "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video" in text
    body = json.loads(shlex.split(out["curl"].rsplit("\n  -d ", 1)[1])[0])  # the shell does not expand here
    assert body == {**ARGS, "image_url": "$IMAGE_URL"}


# Prompts a snippet must carry exactly, through its own language's quoting and its client's JSON
PROMPTS = [
    'she said "hi" and it\'s fine',
    "back\\slash \\n not a newline, a real one:\nthere, and \r\n and \r too",
    "$HOME ${PATH} `ls` $(whoami) %s %d {0} \\u0041",
    "true false null None True NaN Infinity -0, and JSON inside: {\"a\": true, \"b\": null}",
    "emoji 🎬🦊, CJK 漢字, RTL שלום, combining é, \u2028 \u2029 \u0085 \t tab, \x00 nul",
    "</script><script>alert(1)</script> '; DROP TABLE runs; --",
    "/imagine a fox, not a file path",
    "data:text/plain,a prompt that looks like a data URI",
]
ENDPOINT = "fal-ai/bytedance/seedance/v1/lite/text-to-video"
LITE_R2V = "fal-ai/bytedance/seedance/v1/lite/reference-to-video"
TEST_KEY = "snippet-test-key:0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent
# fal_client's storage hosts are constants in the module (as conftest sets them for the app); the snippet runs as it is
PY_TO_FAKE_FAL = ("import os, runpy, sys\nimport fal_client.client as c\n"
                  "c.REST_URL = c.CDN_URL = os.environ['FAKE_FAL_BASE']\n"
                  "runpy.run_path(sys.argv[1], run_name='__main__')\n")


@pytest.fixture(scope="module")
def shown(client):
    """For each prompt: the request JSON a tab shows and its code, from the named API `/snippets`."""
    cases = []
    for i, prompt in enumerate(PROMPTS):
        arguments = {"prompt": prompt, "resolution": "480p", "duration": "2", "seed": 100 + i, "camera_fixed": True}
        code = json.loads(json.dumps(client.predict(ENDPOINT, json.dumps(arguments), api_name="/snippets")))
        cases.append((arguments, code))
    return cases


def run_python(code, fake_fal, tmp_path):
    path = tmp_path / "snippet.py"
    path.write_text(code, encoding="utf-8")
    env = {**os.environ, **fake_fal.env(), "FAL_KEY": TEST_KEY, "FAKE_FAL_BASE": fake_fal.base_url}
    return subprocess.run([sys.executable, "-c", PY_TO_FAKE_FAL, str(path)], env=env, capture_output=True, text=True,
                          timeout=120)


def run_javascript(code, fake_fal, tmp_path):
    js = ROOT / "tests" / "js"
    assert (js / "node_modules" / "@fal-ai" / "client").is_dir(), "scripts/test.sh installs @fal-ai/client"
    path = js / f"snippet-{os.getpid()}.mjs"  # beside node_modules, so the import resolves
    path.write_text(code, encoding="utf-8")
    env = {**os.environ, "FAL_KEY": TEST_KEY, "FAKE_FAL_BASE": fake_fal.base_url,
           "NODE_EXTRA_CA_CERTS": str(fake_fal.ca_path)}
    try:
        return subprocess.run(["node", "--import", "./to-fake-fal.mjs", path.name], cwd=js, env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        path.unlink(missing_ok=True)


def run_curl(code, fake_fal, tmp_path):
    """Under a POSIX sh (Debian's is dash), fal's hosts connected to the fake by a curlrc, as curl --connect-to."""
    port = fake_fal.host.rsplit(":", 1)[1]
    (tmp_path / ".curlrc").write_text(f'connect-to = "queue.fal.run:443:127.0.0.1:{port}"\n'
                                      f'connect-to = "rest.fal.ai:443:127.0.0.1:{port}"\n'
                                      f'cacert = "{fake_fal.ca_path}"\n', encoding="utf-8")
    env = {**os.environ, "FAL_KEY": TEST_KEY, "CURL_HOME": str(tmp_path), "HOME": str(tmp_path)}
    return subprocess.run(["sh", "-c", code], env=env, capture_output=True, text=True, timeout=60)


RUNNERS = {"python": run_python, "javascript": run_javascript, "curl": run_curl}


def _ran(done, language):
    assert done.returncode == 0, done.stderr[-2000:]
    if language == "curl":
        assert json.loads(done.stdout)["status"] == "IN_QUEUE"
    else:
        assert "/files/" in done.stdout  # it ran to the result, printing the video URL


def _received(fake_fal, count, endpoint=ENDPOINT):
    submits = [s for s in fake_fal.seen("POST") if s.path == f"/{endpoint}"]
    assert len(submits) == count, [s.path for s in fake_fal.seen()]
    for submit in submits:
        assert submit.authorization == f"Key {TEST_KEY}"
    return [json.loads(s.body) for s in submits]


@pytest.mark.parametrize("language", RUNNERS)
def test_each_snippet_sends_what_the_tab_shows(language, shown, fake_fal, tmp_path):
    for _arguments, code in shown:
        _ran(RUNNERS[language](code[language], fake_fal, tmp_path), language)
    assert _received(fake_fal, len(shown)) == [arguments for arguments, _ in shown]
    assert not fake_fal.uploads  # nothing to upload: no storage call at all


# -- files that are not URLs: uploaded first, from a path placeholder ----------------------------------------------
ODD_PROMPT = " | ".join(PROMPTS)
PNG, JPEG, WEBP = image_bytes(40, 40), image_bytes(32, 48, "JPEG"), image_bytes(24, 24, "WEBP")
# (endpoint, arguments, {path placeholder: (field, list index or None, content type)}); placeholders are named by
# the field (a list item by its place in the list) and end with the suffix of the file's type
IMAGE_RUNS = {
    "inline image": (PRO_FAST_I2V, {
        "prompt": ODD_PROMPT, "image_url": data_uri(PNG), "resolution": "480p", "duration": "5",
        "camera_fixed": True, "seed": 11}, {"path/to/image.png": ("image_url", None, "image/png")}),
    "two reference images": (LITE_R2V, {
        "prompt": PROMPTS[1], "reference_image_urls": [data_uri(PNG), data_uri(JPEG, "image/jpeg")],
        "resolution": "480p", "duration": "5", "seed": 12},
        {"path/to/reference_image_1.png": ("reference_image_urls", 0, "image/png"),
         "path/to/reference_image_2.jpg": ("reference_image_urls", 1, "image/jpeg")}),
    "image URL and inline end image": (LITE_I2V, {
        "prompt": PROMPTS[2], "image_url": "https://example.com/first frame.png?x=1&y='2'",
        "end_image_url": data_uri(WEBP, "image/webp"), "resolution": "480p", "duration": "5", "seed": None},
        {"path/to/end_image.webp": ("end_image_url", None, "image/webp")}),
    "URL, inline and server upload in one list": (V2_R2V, {
        "prompt": PROMPTS[4], "image_urls": ["https://example.com/a.png", data_uri(PNG), "/tmp/gradio/ab12/photo.jpeg"],
        "generate_audio": False},
        {"path/to/image_2.png": ("image_urls", 1, "image/png"),
         "path/to/image_3.jpeg": ("image_urls", 2, "image/jpeg")}),
}


@pytest.fixture(scope="module")
def image_code(client):
    """For each image run: the request JSON the tab shows and each language's code, from `/snippets`."""
    cases = {}
    for name, (endpoint, arguments, _) in IMAGE_RUNS.items():
        code = client.predict(endpoint, json.dumps(arguments), api_name="/snippets")
        panes = code_panes(endpoint, arguments)
        assert code == {"python": panes["Python"], "javascript": panes["JavaScript"], "curl": panes["cURL"]}
        cases[name] = json.loads(panes["Request JSON"]), code
    return cases


def test_the_api_gives_code_with_the_upload_calls_and_no_inline_file(image_code):
    for name, (_, code) in image_code.items():
        files = len(IMAGE_RUNS[name][2])
        assert code["python"].count("fal_client.upload_file(") == files
        assert code["javascript"].count("await upload(") == files
        assert "fal.storage.upload(new File(" in code["javascript"]
        assert code["curl"].count("=$(fal_upload ") == files
        assert "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3" in code["curl"]
        assert '"Authorization: Key $FAL_KEY"' in code["curl"] and "FAL_KEY" in code["python"] + code["javascript"]
        for text in code.values():
            assert "base64," not in text and "/tmp/gradio" not in text and TEST_KEY not in text


def _with_files(code, placeholders, folder):
    """The code with each path placeholder (and nothing else) set to a real file of distinct bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for i, placeholder in enumerate(placeholders):
        assert code.count(placeholder) == 1, placeholder
        path = folder / Path(placeholder).name
        path.write_bytes(image_bytes(16 + i, 20, "PNG", color=(i * 40, 90, 200)))
        files[placeholder] = path
        code = code.replace(placeholder, str(path))
    return code, files


def _storage_calls(fake_fal, language, count):
    """The upload route each client documents (reference §10), taken once per file, and nothing else."""
    if language == "python":  # fal_client: a CDN token with the key, then the bytes with that token
        uploads = fake_fal.seen("POST", "/files/upload")
        assert [s.authorization for s in uploads] == ["Bearer cdn-token"] * count
        assert not fake_fal.seen("POST", "/storage/upload/initiate")
        return uploads
    initiates = fake_fal.seen("POST", "/storage/upload/initiate")  # fal-js (and the cURL script as fal-js does it)
    assert [(s.query, s.authorization) for s in initiates] == [("storage_type=fal-cdn-v3", f"Key {TEST_KEY}")] * count
    puts = fake_fal.seen("PUT", "/storage/signed/")
    assert len(puts) == count and not fake_fal.seen("POST", "/files/upload")
    return puts


@pytest.mark.parametrize("language", RUNNERS)
@pytest.mark.parametrize("run", IMAGE_RUNS)
def test_a_file_is_uploaded_and_its_url_sent(language, run, image_code, fake_fal, tmp_path):
    endpoint, _, placeholders = IMAGE_RUNS[run]
    request_json, code = image_code[run]
    runnable, files = _with_files(code[language], placeholders, tmp_path / "my files")
    _ran(RUNNERS[language](runnable, fake_fal, tmp_path), language)
    [submitted] = _received(fake_fal, 1, endpoint)
    storage_calls = _storage_calls(fake_fal, language, len(placeholders))
    expected = json.loads(json.dumps(request_json))
    for placeholder, (field, index, content_type) in placeholders.items():
        data = files[placeholder].read_bytes()
        url = submitted[field] if index is None else submitted[field][index]
        assert url.startswith(f"{fake_fal.base_url}/files/")
        assert fake_fal.uploads[url.removeprefix(f"{fake_fal.base_url}/files/")] == data  # what this upload stored
        assert [s.headers["content-type"] for s in storage_calls if s.body == data] == [content_type]
        if index is None:
            expected[field] = url
        else:
            expected[field][index] = url
    assert submitted == expected  # every other field exactly as the tab shows it
    assert len(fake_fal.uploads) == len(placeholders)


def test_an_upload_that_fails_stops_the_curl_script_before_it_submits(image_code, fake_fal, tmp_path):
    _, code = image_code["inline image"]
    runnable = code["curl"].replace("path/to/image.png", str(tmp_path / "missing.png"))
    done = run_curl(runnable, fake_fal, tmp_path)
    assert done.returncode != 0 and not fake_fal.seen("POST", f"/{PRO_FAST_I2V}")


# Which values are files to upload, and what they are called: (arguments, {field: expected planned value})
PLANS = [
    ({"prompt": "/imagine a fox", "negative": "data:text/plain,hi", "image_url": "https://x.test/a.png"}, {}),
    ({"image_url": "data:,no type given"},
     {"image_url": ("image_url", "path/to/image.bin", "application/octet-stream")}),
    ({"image_url": "data:image/x-unheard-of;base64,AAAA"},
     {"image_url": ("image_url", "path/to/image.bin", "image/x-unheard-of")}),
    ({"image_url": "/srv/uploads/Photo.JPG"}, {"image_url": ("image_url", "path/to/image.jpg", "image/jpeg")}),
    ({"my ref-image_url": "data:image/png;base64,AA"},
     {"my ref-image_url": ("my_ref_image_url", "path/to/my_ref_image.png", "image/png")}),
    ({"9_url": "data:image/png;base64,AA"}, {"9_url": ("file_9_url", "path/to/file_9.png", "image/png")}),
    ({"a_url": "data:image/png;base64,AA", "a_urls": ["data:image/png;base64,AA"]},
     {"a_url": ("a_url", "path/to/a.png", "image/png"), "a_urls": [("a_url_1", "path/to/a_1.png", "image/png")]}),
]


@pytest.mark.parametrize("arguments, files", PLANS)
def test_files_are_found_by_field_and_named_for_it(arguments, files, tmp_path):
    planned, uploads = plan(arguments)
    got = {name: ([(u.name, u.path, u.content_type) for u in value] if isinstance(value, list)
                  else (value.name, value.path, value.content_type))
           for name, value in planned.items() if name in files}
    assert got == files and len(uploads) == len({u.path for u in uploads})
    for name in set(arguments) - set(files):  # anything else stays exactly as it is
        assert planned[name] == arguments[name]
    code = snippets("a/b", arguments)
    compile(code["python"], "snippet.py", "exec")
    assert subprocess.run(["sh", "-n", "-c", code["curl"]], capture_output=True).returncode == 0
    (tmp_path / "s.mjs").write_text(code["javascript"], encoding="utf-8")
    assert subprocess.run(["node", "--check", str(tmp_path / "s.mjs")], capture_output=True).returncode == 0


# -- in the page: the code pane of a tab with an uploaded image ------------------------------------------------------
FAST_I2V_SLUG = "seedance-v1-pro-fast-image-to-video"


def _open_fast_i2v(page, catalog):
    from playground.ui.endpoint_tabs import tab_label

    endpoint = catalog[PRO_FAST_I2V]
    page.get_by_role("tab", name=endpoint.family, exact=True).first.click()
    family = [e for e in catalog.values() if e.family == endpoint.family]
    page.get_by_role("tab", name=tab_label(endpoint, family), exact=True).first.click()
    page.wait_for_selector(f"#{FAST_I2V_SLUG}-run", state="visible", timeout=15000)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_the_code_pane_uploads_the_image_a_person_gave(size, browser, app_url, catalog, tmp_path):
    from playwright.sync_api import expect

    photo = tmp_path / "portrait.png"
    photo.write_bytes(image_bytes(540, 960, color=(30, 120, 200)))
    page = open_page(browser, app_url, size)
    _open_fast_i2v(page, catalog)
    page.locator(f"#{FAST_I2V_SLUG}-prompt textarea").fill('She says "it\'s $5" and turns to the light')
    page.locator(f"#{FAST_I2V_SLUG}-image_url-upload input[type=file]").set_input_files(str(photo))
    pane = page.locator(f"#{FAST_I2V_SLUG}-code")
    for language, calls in [("Python", ('IMAGE_URL_FILE = "path/to/image.png"', "fal_client.upload_file(")),
                            ("JavaScript", ('const IMAGE_URL_FILE = "path/to/image.png"', "fal.storage.upload(")),
                            ("cURL", ("IMAGE_URL_FILE='path/to/image.png'", "storage/upload/initiate"))]:
        page.locator(f"#{FAST_I2V_SLUG}-code-language").get_by_text(language, exact=True).click()
        for text in calls:
            expect(pane).to_contain_text(text, timeout=15000)
        assert "base64" not in pane.inner_text()
        pane.scroll_into_view_if_needed()
        shoot(page, f"snippet-upload-{language.lower()}-{size[0]}")
