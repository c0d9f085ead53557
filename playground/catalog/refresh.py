"""Refresh the catalog from fal: each endpoint's OpenAPI document, fetched, compared, and written.

    python -m playground.catalog refresh [--check] [--base-url URL] [--catalog-dir DIR] [ENDPOINT ...]

For every endpoint (all, or the ids or slugs given): GET ``<base>/api/openapi/queue/openapi.json?
endpoint_id=<id>`` (with ``FAL_KEY`` when set), print a readable diff of its input fields, and — unless
``--check`` — write the new document verbatim. A document the app could not use (a field it cannot render,
a size it does not know) is reported and not written. An endpoint fal answers 404 for is marked retired
in its facts file (its tab says so) instead of breaking the app. Exit code: 0 done, 1 ``--check`` found
changes, 2 something could not be fetched or used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from playground.catalog.loader import (
    CATALOG_DIR,
    _read_json,
    build_endpoint,
    openapi_path,
)
from playground.catalog.model import Endpoint, Field
from playground.errors import CatalogError

DEFAULT_BASE_URL = "https://fal.ai"
DOCUMENT_PATH = "/api/openapi/queue/openapi.json"


def describe(field: Field) -> str:
    """A field in a few words: kind, choices or range, default, required."""
    parts: list[str] = [field.kind]
    if field.enum:
        parts.append("choices " + ", ".join(field.enum))
    if field.minimum is not None or field.maximum is not None:
        parts.append(f"{field.minimum}–{field.maximum}")
    if field.default is not None:
        parts.append(f"default {field.default!r}")
    if field.required:
        parts.append("required")
    return ", ".join(parts)


def field_diff(old: Endpoint, new: Endpoint) -> list[str]:
    """Lines saying what changed in the input fields: + added, - removed, ~ changed."""
    before, after = {f.name: f for f in old.fields}, {f.name: f for f in new.fields}
    lines = [f"  + {name}: {describe(after[name])}" for name in after if name not in before]
    lines += [f"  - {name}: removed (was {describe(before[name])})" for name in before if name not in after]
    for name in (n for n in after if n in before):
        was, now = before[name], after[name]
        changes = []
        if was.kind != now.kind:
            changes.append(f"kind {was.kind} → {now.kind}")
        if lost := [v for v in was.enum if v not in now.enum]:
            changes.append("choices lost " + ", ".join(lost))
        if gained := [v for v in now.enum if v not in was.enum]:
            changes.append("choices gained " + ", ".join(gained))
        if (was.minimum, was.maximum) != (now.minimum, now.maximum):
            changes.append(f"range {was.minimum}–{was.maximum} → {now.minimum}–{now.maximum}")
        if was.default != now.default:
            changes.append(f"default {was.default!r} → {now.default!r}")
        if was.required != now.required:
            changes.append("now required" if now.required else "no longer required")
        if changes:
            lines.append(f"  ~ {name}: " + "; ".join(changes))
    return lines


def _write_json(path: Path, value: Any) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def refresh(root: Path = CATALOG_DIR, base_url: str = DEFAULT_BASE_URL, wanted: list[str] | None = None,
            check: bool = False, key: str | None = None, say: Callable[[str], None] = print,
            timeout_s: float = 30.0) -> int:
    """Refresh the endpoints under ``root`` (all, or those ``wanted`` by id or slug); returns the exit code."""
    root = Path(root)
    size_tables = _read_json(root / "sizes.json")
    facts_files = sorted((root / "facts").glob("*.json"))
    if wanted:
        facts_files = [p for p in facts_files if p.stem in wanted or _read_json(p).get("endpoint_id") in wanted]
        known = {p.stem for p in facts_files} | {_read_json(p).get("endpoint_id") for p in facts_files}
        for missing in [w for w in wanted if w not in known]:
            say(f"{missing}: not in the catalog (give an endpoint id or a facts file name)")
            return 2
    changed = failed = 0
    headers = {"Authorization": f"Key {key}"} if key else {}
    with httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=True) as client:
        for facts_path in facts_files:
            facts = _read_json(facts_path)
            endpoint_id, doc_path = facts["endpoint_id"], openapi_path(facts_path, facts)
            current = build_endpoint(facts, facts_path, _read_json(doc_path), doc_path, size_tables)
            url = f"{base_url.rstrip('/')}{DOCUMENT_PATH}?endpoint_id={quote(endpoint_id, safe='/')}"
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                say(f"{endpoint_id}: could not fetch its document ({exc.__class__.__name__}: {exc})")
                failed += 1
                continue
            if response.status_code == 404:
                note = f"since {datetime.now(timezone.utc).date()}: fal answered 404 for its OpenAPI document"
                say(f"{endpoint_id}: retired ({note})" + ("" if current.retired else " — newly"))
                if not current.retired:
                    changed += 1
                    if not check:
                        _write_json(facts_path, {**facts, "retired": note})
                continue
            if response.status_code != 200:
                say(f"{endpoint_id}: fal answered HTTP {response.status_code}; nothing changed")
                failed += 1
                continue
            try:
                document = response.json()
                fresh = build_endpoint({k: v for k, v in facts.items() if k != "retired"}, facts_path, document, url,
                                       size_tables)
            except (ValueError, CatalogError) as exc:
                say(f"{endpoint_id}: the new document cannot be used, nothing written: {exc}")
                failed += 1
                continue
            lines = field_diff(current, fresh)
            revived = bool(current.retired)
            if document == _read_json(doc_path) and not revived:
                say(f"{endpoint_id}: unchanged")
                continue
            changed += 1
            say(f"{endpoint_id}: {len(lines)} field change(s)" + (" (no longer retired)" if revived else "")
                + ("" if lines else " (the document changed elsewhere)"))
            for line in lines:
                say(line)
            if not check:
                _write_json(doc_path, document)
                if revived:
                    _write_json(facts_path, {k: v for k, v in facts.items() if k != "retired"})
    verb = "would change" if check else "changed"
    say(f"{len(facts_files)} endpoint(s) checked: {changed} {verb}, {failed} failed")
    if failed:
        return 2
    return 1 if check and changed else 0


PRICING_BASE_URL = "https://api.fal.ai"
PRICING_PATH = "/v1/models/pricing"
PRICING_BATCH = 50  # ids per request, as fal's pricing API takes them


def _billing_text(billing: dict[str, Any] | None) -> str:
    return f"${billing['usd_per_unit']:g} per {billing['unit']}" if billing else "unknown"


def fetch_prices(client: httpx.Client, base_url: str, endpoint_ids: list[str]) -> dict[str, dict[str, Any]]:
    """fal's pricing API for these endpoints, every page of it: endpoint id → {unit_price, unit, currency}."""
    prices: dict[str, dict[str, Any]] = {}
    for start in range(0, len(endpoint_ids), PRICING_BATCH):
        params: dict[str, str] = {"endpoint_id": ",".join(endpoint_ids[start:start + PRICING_BATCH])}
        while True:
            response = client.get(f"{base_url.rstrip('/')}{PRICING_PATH}", params=params)
            response.raise_for_status()
            page = response.json()
            for item in page.get("prices") or []:
                prices[item["endpoint_id"]] = item
            if not page.get("has_more") or not page.get("next_cursor"):
                break
            params["cursor"] = page["next_cursor"]
    return prices


def refresh_prices(root: Path = CATALOG_DIR, base_url: str = PRICING_BASE_URL, wanted: list[str] | None = None,
                   check: bool = False, key: str | None = None, say: Callable[[str], None] = print,
                   timeout_s: float = 30.0) -> int:
    """Read fal's billing unit and unit price for each endpoint and write them into its facts file (the billed
    cost of a run is its billable units × this price); returns the exit code, as ``refresh`` does."""
    facts_files = sorted((Path(root) / "facts").glob("*.json"))
    chosen = {p: _read_json(p) for p in facts_files}
    if wanted:
        chosen = {p: f for p, f in chosen.items() if p.stem in wanted or f.get("endpoint_id") in wanted}
        known = {p.stem for p in chosen} | {f.get("endpoint_id") for f in chosen.values()}
        for missing in [w for w in wanted if w not in known]:
            say(f"{missing}: not in the catalog (give an endpoint id or a facts file name)")
            return 2
    headers = {"Authorization": f"Key {key}"} if key else {}
    try:
        with httpx.Client(timeout=timeout_s, headers=headers, follow_redirects=True) as client:
            prices = fetch_prices(client, base_url, [f["endpoint_id"] for f in chosen.values()])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        say(f"fal's pricing API could not be read ({exc.__class__.__name__}: {str(exc)[:160]}); nothing changed")
        return 2
    changed = failed = 0
    for path, facts in chosen.items():
        endpoint_id, current = facts["endpoint_id"], facts["pricing"].get("billing")
        price = prices.get(endpoint_id)
        if price is None:
            say(f"{endpoint_id}: no price listed; billing stays {_billing_text(current)}")
            continue
        if str(price.get("currency", "USD")).upper() != "USD" or not isinstance(price.get("unit_price"), (int, float)):
            say(f"{endpoint_id}: a price this app cannot use ({price}); nothing changed")
            failed += 1
            continue
        fresh = {"unit": str(price.get("unit") or "unit"), "usd_per_unit": float(price["unit_price"]),
                 "source": f"fal's pricing API, {datetime.now(timezone.utc).date()}"}
        if current and (current.get("unit"), current.get("usd_per_unit")) == (fresh["unit"], fresh["usd_per_unit"]):
            say(f"{endpoint_id}: unchanged ({_billing_text(current)})")
            continue
        changed += 1
        say(f"{endpoint_id}:\n  ~ billing: {_billing_text(current)} → {_billing_text(fresh)}")
        if not check:
            _write_json(path, {**facts, "pricing": {**facts["pricing"], "billing": fresh}})
    verb = "would change" if check else "changed"
    say(f"{len(chosen)} endpoint(s) checked: {changed} {verb}, {failed} failed")
    if failed:
        return 2
    return 1 if check and changed else 0
