"""`python -m playground.catalog refresh` against a local fal: diffs, writes, unusable documents, retirement."""

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from app_process import AppProcess
from browser_kit import open_page
from conftest import FAKE, LITE_T2V, PRO_FAST_T2V, PRO_T2V

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "playground" / "catalog"
V2_T2V = "bytedance/seedance-2.0/text-to-video"


def _catalog_copy(tmp_path) -> Path:
    target = tmp_path / "catalog"
    for part in ("facts", "openapi"):
        shutil.copytree(SHIPPED / part, target / part)
    for data in ("sizes.json", "families.json"):
        shutil.copy(SHIPPED / data, target / data)
    return target


def _document(catalog: Path, slug: str) -> dict:
    return json.loads((catalog / "openapi" / f"{slug}.json").read_text())


def _changed_lite(catalog: Path) -> dict:
    """Lite text-to-video as fal might serve it tomorrow: a new field, and 9:21 gone."""
    document = copy.deepcopy(_document(catalog, "seedance-v1-lite-text-to-video"))
    ref = document["paths"][f"/{LITE_T2V}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    schema["properties"]["motion_strength"] = {"type": "integer", "minimum": 0, "maximum": 10, "default": 5,
                                               "title": "Motion Strength", "description": "How much things move."}
    schema["x-fal-order-properties"].append("motion_strength")
    schema["properties"]["aspect_ratio"]["enum"].remove("9:21")
    return document


def _refresh(catalog: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **FAKE.env()}
    env.pop("FAL_KEY", None)
    return subprocess.run([sys.executable, "-m", "playground.catalog", "refresh", "--base-url", FAKE.base_url,
                           "--catalog-dir", str(catalog), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def _snapshot(catalog: Path) -> dict[str, bytes]:
    return {str(p.relative_to(catalog)): p.read_bytes() for p in catalog.rglob("*.json")}


def test_check_then_write_then_the_app_shows_it(tmp_path, fake_fal, browser):
    from playwright.sync_api import expect

    catalog = _catalog_copy(tmp_path)
    changed = _changed_lite(catalog)
    fake_fal.openapi[LITE_T2V] = changed
    fake_fal.openapi[PRO_FAST_T2V] = _document(catalog, "seedance-v1-pro-fast-text-to-video")  # unchanged
    # PRO_T2V is not served: fal answers 404
    before = _snapshot(catalog)
    check = _refresh(catalog, "--check", LITE_T2V, PRO_T2V, PRO_FAST_T2V)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "+ motion_strength: integer_range, 0–10, default 5" in check.stdout
    assert "~ aspect_ratio: choices lost 9:21" in check.stdout
    assert f"{PRO_T2V}: retired" in check.stdout and f"{PRO_FAST_T2V}: unchanged" in check.stdout
    assert _snapshot(catalog) == before  # --check writes nothing

    write = _refresh(catalog, LITE_T2V, "seedance-v1-pro-text-to-video", PRO_FAST_T2V)  # ids or facts names
    assert write.returncode == 0, write.stdout + write.stderr
    assert _document(catalog, "seedance-v1-lite-text-to-video") == changed  # written verbatim
    assert "fal answered 404" in json.loads((catalog / "facts" / "seedance-v1-pro-text-to-video.json").read_text())[
        "retired"]
    assert _refresh(catalog, "--check", LITE_T2V, PRO_T2V).returncode == 0  # nothing more to change

    app = AppProcess(tmp_path / "data", {"PLAYGROUND_CATALOG_DIR": str(catalog)}, tmp_path / "console.log").start()
    try:  # what a person sees in the rebuilt tabs
        page = open_page(browser, app.url)
        lite = "#seedance-v1-lite-text-to-video"
        page.locator(f"{lite}-advanced").get_by_text("Advanced").click()
        assert page.locator(f"{lite}-motion_strength input[type=range]").get_attribute("max") == "10"
        page.locator(f"{lite}-aspect_ratio input").click()
        aspect = [text.split("\n")[-1] for text in page.get_by_role("option").all_inner_texts()]  # "✓\n16:9"
        assert "9:21" not in aspect and "16:9" in aspect
        assert page.locator(f"{lite}-retired").count() == 0
        page.get_by_role("tab", name="1.0 Pro", exact=True).first.click()
        expect(page.locator("#seedance-v1-pro-text-to-video-title")).to_contain_text("Retired", timeout=10000)
    finally:
        app.stop()


def test_an_unusable_document_is_not_written_and_a_retired_endpoint_can_come_back(tmp_path, fake_fal):
    catalog = _catalog_copy(tmp_path)
    broken = copy.deepcopy(_document(catalog, "seedance-2-0-text-to-video"))
    ref = broken["paths"][f"/{V2_T2V}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = broken["components"]["schemas"][ref.rsplit("/", 1)[1]]
    schema["properties"]["resolution"]["enum"].append("4k")  # a size the app has no output size for
    fake_fal.openapi[V2_T2V] = broken
    before = _snapshot(catalog)
    result = _refresh(catalog, V2_T2V)
    assert result.returncode == 2 and "cannot be used, nothing written" in result.stdout and "'4k'" in result.stdout
    assert _snapshot(catalog) == before

    assert _refresh(catalog, PRO_T2V).returncode == 0  # 404: retired
    fake_fal.openapi[PRO_T2V] = _document(catalog, "seedance-v1-pro-text-to-video")
    back = _refresh(catalog, PRO_T2V)
    assert back.returncode == 0 and "no longer retired" in back.stdout
    assert "retired" not in json.loads((catalog / "facts" / "seedance-v1-pro-text-to-video.json").read_text())


def test_unknown_endpoint_is_an_error(tmp_path):
    result = _refresh(_catalog_copy(tmp_path), "fal-ai/not/a/thing")
    assert result.returncode == 2 and "not in the catalog" in result.stdout


def test_the_openapi_base_url_setting_is_where_refresh_reads_without_base_url(tmp_path, fake_fal):
    catalog = _catalog_copy(tmp_path)
    fake_fal.openapi[LITE_T2V] = _changed_lite(catalog)
    env = {**os.environ, **FAKE.env(), "PLAYGROUND_OPENAPI_BASE_URL": FAKE.base_url}
    env.pop("FAL_KEY", None)
    result = subprocess.run([sys.executable, "-m", "playground.catalog", "refresh", "--check", "--catalog-dir",
                             str(catalog), LITE_T2V], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "~ aspect_ratio: choices lost 9:21" in result.stdout  # the fake's document, not fal.ai's


V2_T2V = "bytedance/seedance-2.0/text-to-video"
PRICE_KEY = "price-reader:0011223344556677"


def _refresh_prices(catalog: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **FAKE.env(), "FAL_KEY": PRICE_KEY}
    return subprocess.run([sys.executable, "-m", "playground.catalog", "refresh", "--prices", "--base-url",
                           FAKE.base_url, "--catalog-dir", str(catalog), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_prices_check_shows_the_change_then_write_updates_the_facts(tmp_path, fake_fal):
    from playground.catalog import load_catalog

    catalog = _catalog_copy(tmp_path)
    fake_fal.prices = {V2_T2V: {"unit_price": 0.015, "unit": "1,000 video tokens", "currency": "USD"},
                       LITE_T2V: {"unit_price": 0.0018, "unit": "1,000 video tokens", "currency": "USD"}}
    before = _snapshot(catalog)
    check = _refresh_prices(catalog, "--check", V2_T2V, LITE_T2V, PRO_T2V)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "~ billing: $0.014 per 1,000 video tokens → $0.015 per 1,000 video tokens" in check.stdout
    assert "~ billing: unknown → $0.0018 per 1,000 video tokens" in check.stdout
    assert f"{PRO_T2V}: no price listed" in check.stdout
    assert _snapshot(catalog) == before  # --check writes nothing
    (seen,) = fake_fal.seen("GET", "/v1/models/pricing")
    assert seen.authorization == f"Key {PRICE_KEY}" and sorted(seen.query.split("=", 1)[1].replace("%2C", ",").replace(
        "%2F", "/").split(",")) == sorted([V2_T2V, LITE_T2V, PRO_T2V])
    write = _refresh_prices(catalog, V2_T2V, LITE_T2V, PRO_T2V)
    assert write.returncode == 0, write.stdout + write.stderr
    billing = {e.endpoint_id: e.pricing.billing for e in load_catalog(catalog).values()}
    assert (billing[V2_T2V].usd_per_unit, billing[LITE_T2V].usd_per_unit) == (0.015, 0.0018)
    assert billing[PRO_T2V] is None and "pricing API" in billing[V2_T2V].source
    assert _refresh_prices(catalog, "--check", V2_T2V, LITE_T2V).returncode == 0  # nothing more to change


def test_prices_the_app_cannot_use_change_nothing(tmp_path, fake_fal):
    catalog = _catalog_copy(tmp_path)
    fake_fal.prices = {V2_T2V: {"unit_price": 0.2, "unit": "1,000 video tokens", "currency": "EUR"}}
    before = _snapshot(catalog)
    result = _refresh_prices(catalog, V2_T2V)
    assert result.returncode == 2 and "cannot use" in result.stdout and _snapshot(catalog) == before
