"""The page as the browser receives it: compressed when asked, without API schemas nothing uses, and the
named API still described in full (playground/ui/lean.py)."""

from __future__ import annotations

import gzip
import json
import urllib.request

import pytest

from playground.ui.lean import API_SCHEMA_KEYS, without_private_api_schemas


def _get(url: str, encoding: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


@pytest.mark.parametrize("path", ["", "config", "gradio_api/info"])
def test_page_config_and_api_description_go_gzipped_when_asked(app_url, path):
    headers, wire = _get(app_url + path, "gzip, deflate, br")
    _, plain = _get(app_url + path, "identity")
    assert headers.get("content-encoding") == "gzip"
    assert len(wire) < len(plain) / 5
    if path == "config":  # the same content either way (the page itself carries a per-request token)
        assert json.loads(gzip.decompress(wire))["components"] == json.loads(plain)["components"]


def test_the_page_on_the_wire_and_the_config_are_light(app_url):
    _, page = _get(app_url, "gzip")
    _, config = _get(app_url + "config", "identity")
    assert len(page) <= 150_000
    assert len(config) <= 400_000  # was 948 KB: every component's API schema, and 18 endpoint forms built up front


def test_no_endpoint_form_nor_compare_is_in_the_page_until_a_visitor_opens_it(app_url, catalog):
    _, body = _get(app_url + "config", "identity")
    config = json.loads(body)
    ids = {c["props"].get("elem_id") for c in config["components"]}
    for endpoint in catalog.values():
        assert f"{endpoint.slug}-opening" in ids  # the box a first click (or a restore) writes to build it
        assert not {f"{endpoint.slug}-run", f"{endpoint.slug}-prompt"} & ids, endpoint.slug
    assert "compare-opening" in ids and not {"cmp-run", "cmp-prompts", "cmp-grid"} & ids
    renders = [d for d in config["dependencies"] if d.get("renderable") is not None or d["api_name"].startswith("apply")]
    assert len(renders) == len(catalog) + 1  # each endpoint tab, and Compare
    assert not [d for d in config["dependencies"] if d["api_name"].startswith("open_") and d["backend_fn"]]


def test_only_components_of_api_events_carry_api_schemas(app_url):
    _, body = _get(app_url + "config", "identity")
    config = json.loads(body)
    api_blocks = {block for dep in config["dependencies"] if dep["api_visibility"] != "private"
                  for block in dep["inputs"] + dep["outputs"]}
    with_schema = {c["id"] for c in config["components"] if "api_info" in c}
    assert with_schema <= api_blocks
    assert {b for b in api_blocks if not next(c for c in config["components"] if c["id"] == b)["skip_api"]} \
        <= with_schema  # every public endpoint keeps what /info and gradio_client need


def test_the_named_api_is_still_described_in_full(app_url, client):
    _, body = _get(app_url + "gradio_api/info", "identity")
    named = json.loads(body)["named_endpoints"]
    for name in ("/catalog", "/estimate", "/snippets", "/generate", "/compare", "/history", "/vote", "/leaderboard",
                 "/export_row"):
        assert named[name]["parameters"] or name == "/catalog", name
        assert named[name]["returns"], name
    assert len(client.predict(api_name="/catalog")) >= 18  # gradio_client still works from that description


ROUTES = [("/", "text/html", True), ("/config", "application/json", True), ("/gradio_api/info", "application/json", True),
          ("/gradio_api/queue/data", "text/event-stream", False), ("/gradio_api/file=clip.mp4", "video/mp4", False),
          ("/assets/index.js", "text/javascript", False)]  # .js: Gradio's own middleware compresses those (br)


@pytest.mark.parametrize("path,media_type,gzipped", ROUTES)
def test_only_the_page_config_and_api_description_are_gzipped_here(path, media_type, gzipped):
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from playground.ui.lean import compression

    body = b"x" * 50_000
    app = Starlette(routes=[Route(path, lambda _request: Response(body, media_type=media_type))],
                    middleware=compression()["middleware"])
    response = TestClient(app).get(path, headers={"Accept-Encoding": "gzip"})
    assert response.content == body
    assert (response.headers.get("content-encoding") == "gzip") == gzipped


@pytest.mark.parametrize("visibility,kept", [("public", True), ("undocumented", True), ("private", False)])
def test_schemas_stay_exactly_where_an_api_event_reads_or_writes(visibility, kept):
    component = {"id": 7, "props": {}, "skip_api": False, **{k: {"type": "string"} for k in API_SCHEMA_KEYS}}
    lone = {"id": 8, "props": {}, "skip_api": False, **{k: {"type": "string"} for k in API_SCHEMA_KEYS}}
    config = {"components": [component, lone],
              "dependencies": [{"api_visibility": visibility, "inputs": [7], "outputs": []}]}
    trimmed = without_private_api_schemas(config)
    assert all((k in trimmed["components"][0]) == kept for k in API_SCHEMA_KEYS)
    assert not any(k in trimmed["components"][1] for k in API_SCHEMA_KEYS)


def _descendants(node: dict) -> set[int]:
    return {child["id"] for child in node.get("children", [])} | {
        d for child in node.get("children", []) for d in _descendants(child)}


def test_no_event_shows_progress_on_anything_holding_a_tab(app_url):
    """The page re-reads, on every status change of any event, the whole subtree of every component an event
    has shown progress on: one such event on a tab (a render's own container, or the Tabs a restore switches)
    makes every later event walk every tab built so far, and the first switch into a tab slows with each."""
    _, body = _get(app_url + "config", "identity")
    config = json.loads(body)
    by_id = {c["id"]: c for c in config["components"]}
    holders: dict[int, set[int]] = {}

    def walk(node: dict) -> None:
        holders[node["id"]] = _descendants(node)
        for child in node.get("children", []):
            walk(child)

    walk(config["layout"])
    openings = {c["id"] for c in config["components"] if str(c["props"].get("elem_id", "")).endswith("-opening")}
    assert len(openings) >= 2
    heavy = [(dep["api_name"], target) for dep in config["dependencies"]
             for target in (dep.get("show_progress_on") or dep["outputs"])
             if holders.get(target, set()) & openings or by_id.get(target, {}).get("type") == "tabitem"]
    assert not heavy
    renders = [dep for dep in config["dependencies"] if dep.get("render_id") is not None]
    assert renders and all(set(dep["show_progress_on"] or dep["outputs"]) <= openings for dep in renders)
