"""Load the catalog: one fal OpenAPI document plus one facts file per endpoint, checked at load."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from playground.catalog.model import Billing, Endpoint, PriceVariant, Pricing, SecondQuote
from playground.catalog.modes import MODE_NAMES
from playground.catalog.schema import parse_fields
from playground.errors import CatalogError

CATALOG_DIR = Path(__file__).parent
FACT_KEYS = {"endpoint_id", "openapi", "label", "family", "tier", "mode", "size_table", "pricing", "notes", "constraints",
             "image_formats", "compare_aliases", "retired"}
TIERS = ("standard", "fast", "mini")
PRICING_KEYS = {"rule", "fps", "usd_per_million_tokens", "confidence", "source", "quoted",
                "video_input_multiplier", "adds_input_video_seconds", "variants", "billing", "per_second_quotes"}
BILLING_KEYS = {"unit", "usd_per_unit", "source"}
QUOTE_KEYS = {"resolution", "usd_per_second", "source", "aspect_ratios", "note"}
SIZE_TABLE_KEYS = {"note", "unconfirmed", "sizes"}
CONSTRAINT_KINDS = {"max_total_items": {"kind", "fields", "max"}, "requires_any": {"kind", "field", "any_of"}}


class Catalog(Mapping[str, Endpoint]):
    """Read-only map of endpoint id → Endpoint, in a stable display order."""

    def __init__(self, endpoints: list[Endpoint]):
        self._by_id = {e.endpoint_id: e for e in endpoints}

    def __getitem__(self, endpoint_id: str) -> Endpoint:
        return self._by_id[endpoint_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def unit_price(self, endpoint_id: str) -> float | None:
        """fal's price per billable unit of an endpoint, where the facts know it (``refresh --prices``)."""
        endpoint = self._by_id.get(endpoint_id)
        billing = endpoint.pricing.billing if endpoint else None
        return billing.usd_per_unit if billing else None

    def short_labels(self) -> dict[str, str]:
        """Endpoint id → its short label ("1.0 Lite"), as tables name endpoints."""
        return {e.endpoint_id: e.short_label for e in self._by_id.values()}

    def families(self) -> dict[str, list[Endpoint]]:
        """Endpoints grouped by family, in catalog order."""
        groups: dict[str, list[Endpoint]] = {}
        for endpoint in self._by_id.values():
            groups.setdefault(endpoint.family, []).append(endpoint)
        return groups


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(str(path), "-", "file not found") from None
    except json.JSONDecodeError as exc:
        raise CatalogError(str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(str(path), f"byte {exc.start}", "not UTF-8 text") from None
    except RecursionError:
        raise CatalogError(str(path), "-", "JSON nested too deeply to read") from None
    except OSError as exc:
        raise CatalogError(str(path), "-", f"cannot be read ({exc.strerror or exc.__class__.__name__})") from None


def _require(
    facts: dict[str, Any], key: str, file: str, allowed: tuple[str, ...] | None = None, kind: type = str
) -> Any:
    value = facts.get(key)
    if not isinstance(value, kind) or (allowed and value not in allowed):
        expected = f"one of {list(allowed)}" if allowed else f"a {kind.__name__}"
        raise CatalogError(file, key, f"must be {expected}, got {value!r}")
    return value


def _pricing(raw: Any, file: str) -> Pricing:
    if not isinstance(raw, dict) or raw.get("rule") != "video_tokens":
        raise CatalogError(file, "pricing.rule", "must be 'video_tokens'")
    extra = set(raw) - PRICING_KEYS
    if extra:
        raise CatalogError(file, f"pricing.{sorted(extra)[0]}", f"unknown key; allowed: {sorted(PRICING_KEYS)}")
    price = raw.get("usd_per_million_tokens")
    if not isinstance(price, (int, float)) or price <= 0:
        raise CatalogError(file, "pricing.usd_per_million_tokens", f"must be a positive number, got {price!r}")
    if not isinstance(raw.get("fps"), int):
        raise CatalogError(file, "pricing.fps", "must be an integer")
    return Pricing(usd_per_million_tokens=float(price), fps=raw["fps"], confidence=str(raw.get("confidence", "")),
                   source=str(raw.get("source", "")), quoted=str(raw.get("quoted", "")),
                   video_input_multiplier=raw.get("video_input_multiplier"),
                   adds_input_video_seconds=bool(raw.get("adds_input_video_seconds", False)),
                   variants=_variants(raw.get("variants"), file), billing=_billing(raw.get("billing"), file),
                   per_second_quotes=_quotes(raw.get("per_second_quotes"), file))


def _quotes(raw: Any, file: str) -> tuple[SecondQuote, ...]:
    """``[{"resolution": "720p", "usd_per_second": n, "source": …, "aspect_ratios"?: […], "note"?: …}]``: fal's
    own per-second prices, one per resolution (``aspect_ratios`` left out: every aspect ratio)."""
    if not isinstance(raw, list | None):
        raise CatalogError(file, "pricing.per_second_quotes", "must be a list of quotes")
    quotes: list[SecondQuote] = []
    for i, item in enumerate(raw or []):
        where = f"pricing.per_second_quotes[{i}]"
        if not isinstance(item, dict) or not {"resolution", "usd_per_second", "source"} <= set(item) <= QUOTE_KEYS:
            raise CatalogError(file, where, f"needs resolution, usd_per_second and source; keys {sorted(QUOTE_KEYS)}")
        if bad := next((k for k in ("resolution", "source", "note") if k in item and not _text(item[k])), None):
            raise CatalogError(file, f"{where}.{bad}", f"must be non-empty text, got {item[bad]!r}")
        price, ratios = item["usd_per_second"], item.get("aspect_ratios", ["all"])
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not 0 < price < 1000:
            raise CatalogError(file, f"{where}.usd_per_second", f"must be a positive number of dollars, got {price!r}")
        if not isinstance(ratios, list) or not ratios or not all(_text(r) for r in ratios):
            raise CatalogError(file, f"{where}.aspect_ratios", "must be a non-empty list (left out: every ratio)")
        if any(q.resolution == item["resolution"] for q in quotes):
            raise CatalogError(file, f"{where}.resolution", f"{item['resolution']!r} is quoted twice")
        quotes.append(SecondQuote(item["resolution"], float(price), item["source"],
                                  tuple(ratios) if "aspect_ratios" in item else (), item.get("note", "")))
    return tuple(quotes)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_quotes(endpoint: Endpoint, file: str) -> None:
    """A quote names a resolution and aspect ratios this endpoint offers, and never sits beside a price variant."""
    if endpoint.pricing.per_second_quotes and endpoint.pricing.variants:
        raise CatalogError(file, "pricing.per_second_quotes", "cannot sit beside price variants (which would apply?)")
    offered = {name: f.enum if (f := endpoint.field(name)) else () for name in ("resolution", "aspect_ratio")}
    for i, quote in enumerate(endpoint.pricing.per_second_quotes):
        where = f"pricing.per_second_quotes[{i}]"
        if quote.resolution not in offered["resolution"]:
            raise CatalogError(file, f"{where}.resolution", f"{quote.resolution!r} is not offered by this endpoint")
        if unknown := [r for r in quote.aspect_ratios if r not in offered["aspect_ratio"]]:
            raise CatalogError(file, f"{where}.aspect_ratios", f"{unknown} are not aspect ratios of this endpoint")


def _variants(raw: Any, file: str) -> tuple[PriceVariant, ...]:
    """``[{"when": {"generate_audio": false}, "usd_per_million_tokens": 1.2}, …]``: prices that depend on a field."""
    variants = []
    for i, item in enumerate(raw or []):
        where = f"pricing.variants[{i}]"
        if not isinstance(item, dict) or set(item) != {"when", "usd_per_million_tokens"}:
            raise CatalogError(file, where, "must be {\"when\": {field: value}, \"usd_per_million_tokens\": n}")
        if not isinstance(item["when"], dict) or not item["when"]:
            raise CatalogError(file, f"{where}.when", "must name at least one field and its value")
        price = item["usd_per_million_tokens"]
        if not isinstance(price, (int, float)) or price <= 0:
            raise CatalogError(file, f"{where}.usd_per_million_tokens", f"must be a positive number, got {price!r}")
        variants.append(PriceVariant(tuple(item["when"].items()), float(price)))
    return tuple(variants)


def _billing(raw: Any, file: str) -> Billing | None:
    """``{"unit": …, "usd_per_unit": n, "source": …}``: fal's billing unit and its price, where known."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not set(raw) <= BILLING_KEYS or not {"unit", "usd_per_unit"} <= set(raw):
        raise CatalogError(file, "pricing.billing", f"must have unit and usd_per_unit (and maybe source); keys "
                                                    f"{sorted(BILLING_KEYS)}")
    price = raw["usd_per_unit"]
    if not isinstance(price, (int, float)) or price <= 0 or not isinstance(raw["unit"], str):
        raise CatalogError(file, "pricing.billing.usd_per_unit", f"must be a positive number, got {price!r}")
    return Billing(raw["unit"], float(price), str(raw.get("source", "")))


def _check_constraints(raw: Any, names: set[str], file: str) -> tuple[dict[str, Any], ...]:
    for i, c in enumerate(raw or []):
        keys = CONSTRAINT_KINDS.get(str(c.get("kind"))) if isinstance(c, dict) else None
        if keys is None or set(c) != keys:
            raise CatalogError(file, f"constraints[{i}]", f"must be one of {sorted(CONSTRAINT_KINDS)} with its keys")
        mentioned = set(c.get("fields", [])) | set(c.get("any_of", [])) | ({c["field"]} if "field" in c else set())
        if not mentioned <= names:
            raise CatalogError(file, f"constraints[{i}]", f"names unknown fields {sorted(mentioned - names)}")
    return tuple(raw or ())


def _check_aliases(raw: Any, names: set[str], file: str) -> tuple[tuple[str, str], ...]:
    """``{"shared name": "this endpoint's field"}``: how a Compare setting reaches a field named differently here."""
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in raw.items()):
        raise CatalogError(file, "compare_aliases", "must map shared field names to this endpoint's field names")
    for shared, own in raw.items():
        if own not in names:
            raise CatalogError(file, f"compare_aliases.{shared}", f"{own!r} is not a field of this endpoint")
        if shared in names:
            raise CatalogError(file, f"compare_aliases.{shared}", "this endpoint already has a field of that name")
    return tuple(raw.items())


def _size_table(table: Any, name: str, file: str) -> tuple[dict[str, dict[str, tuple[int, int]]], dict[str, str]]:
    """A table of sizes.json, checked: ``{"note", "unconfirmed": {resolution: why}, "sizes": {resolution: {aspect:
    [w, h]}}}`` with even sides (the offline preview encodes 4:2:0 video)."""
    if not isinstance(table, dict) or not set(table) <= SIZE_TABLE_KEYS or not isinstance(table.get("sizes"), dict):
        raise CatalogError(file, name, f"must be an object with sizes (keys {sorted(SIZE_TABLE_KEYS)})")
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    for resolution, row in table["sizes"].items():
        if not isinstance(row, dict) or not row:
            raise CatalogError(file, f"{name}.sizes.{resolution}", "must map aspect ratios to [width, height]")
        for aspect, wh in row.items():
            if not (isinstance(wh, list) and len(wh) == 2 and all(type(x) is int and x > 0 and x % 2 == 0 for x in wh)):
                raise CatalogError(file, f"{name}.sizes.{resolution}.{aspect}", f"must be [width, height], positive "
                                                                               f"even integers, got {wh!r}")
        sizes[resolution] = {aspect: (wh[0], wh[1]) for aspect, wh in row.items()}
    doubts = table.get("unconfirmed", {})
    if not isinstance(doubts, dict) or not all(_text(v) for v in doubts.values()):
        raise CatalogError(file, f"{name}.unconfirmed", "must map resolutions to why their size is unconfirmed")
    if unknown := sorted(set(doubts) - set(sizes)):
        raise CatalogError(file, f"{name}.unconfirmed", f"{unknown} have no row in sizes")
    return sizes, dict(doubts)


def _sizes_for(endpoint: Endpoint, file: str) -> None:
    """Every resolution and aspect ratio an endpoint offers must have a known output size."""
    for name in ("resolution", "aspect_ratio"):
        f = endpoint.field(name)
        known = set(endpoint.sizes) if name == "resolution" else set().union(*(r.keys() for r in endpoint.sizes.values()))
        for value in (f.enum if f else ()):
            if value != "auto" and value not in known:
                raise CatalogError(file, f"{name}.enum", f"{value!r} has no output size in the size table")


def load_endpoint(facts_path: Path, size_tables: dict[str, Any]) -> Endpoint:
    """One endpoint from its facts file and the OpenAPI document it points at."""
    facts = _read_json(facts_path)
    if not isinstance(facts, dict):
        raise CatalogError(str(facts_path), "-", "must be a JSON object")
    doc_path = openapi_path(facts_path, facts)
    return build_endpoint(facts, facts_path, _read_json(doc_path), doc_path, size_tables)


def openapi_path(facts_path: Path, facts: dict[str, Any]) -> Path:
    """Where a facts file says fal's OpenAPI document for its endpoint lives."""
    relative: str = _require(facts, "openapi", str(facts_path))
    return facts_path.parent.parent / relative


def build_endpoint(facts: dict[str, Any], facts_path: Path, doc: Any, doc_path: Path | str,
                   size_tables: dict[str, Any]) -> Endpoint:
    """An endpoint from our facts and fal's document, every rule checked (the refresh command uses it too)."""
    file = str(facts_path)
    extra = set(facts) - FACT_KEYS
    if extra:
        raise CatalogError(file, sorted(extra)[0], f"unknown key; allowed: {sorted(FACT_KEYS)}")
    endpoint_id = _require(facts, "endpoint_id", file)
    if not isinstance(doc, dict):
        raise CatalogError(str(doc_path), "-", "must be a JSON object (an OpenAPI document)")
    meta_id = doc.get("info", {}).get("x-fal-metadata", {}).get("endpointId")
    if meta_id != endpoint_id:
        raise CatalogError(str(doc_path), "info.x-fal-metadata.endpointId", f"{meta_id!r} does not match {endpoint_id!r}")
    fields = parse_fields(doc, endpoint_id, str(doc_path))
    table_name = _require(facts, "size_table", file)
    if not isinstance(size_tables, dict) or table_name not in size_tables:
        raise CatalogError(file, "size_table", f"unknown table {table_name!r}")
    sizes, unconfirmed = _size_table(size_tables[table_name], table_name, str(facts_path.parent.parent / "sizes.json"))
    retired = facts.get("retired", "")
    if not isinstance(retired, str):
        raise CatalogError(file, "retired", "must be text saying since when and why")
    endpoint = Endpoint(
        endpoint_id=endpoint_id, label=_require(facts, "label", file), family=_require(facts, "family", file),
        tier=_require(facts, "tier", file, TIERS), mode=_require(facts, "mode", file, MODE_NAMES), fields=fields,
        pricing=_pricing(facts.get("pricing"), file), sizes=sizes, notes=tuple(facts.get("notes") or ()),
        constraints=_check_constraints(facts.get("constraints"), {f.name for f in fields}, file),
        image_formats=tuple(facts.get("image_formats") or ("JPEG", "PNG", "WEBP")), slug=Path(file).stem,
        aliases=_check_aliases(facts.get("compare_aliases"), {f.name for f in fields}, file), retired=retired,
        unconfirmed_sizes=unconfirmed)
    _sizes_for(endpoint, str(doc_path))
    _check_quotes(endpoint, file)
    names = {f.name for f in fields}
    for i, variant in enumerate(endpoint.pricing.variants):
        if unknown := [name for name, _ in variant.when if name not in names]:
            raise CatalogError(file, f"pricing.variants[{i}].when", f"names unknown fields {unknown}")
    return endpoint


def load_catalog(root: Path = CATALOG_DIR) -> Catalog:
    """Every endpoint under ``root/facts``; the first malformed file raises CatalogError naming it."""
    size_tables = _read_json(root / "sizes.json")
    endpoints = [load_endpoint(path, size_tables) for path in sorted((root / "facts").glob("*.json"))]
    if not endpoints:
        raise CatalogError(str(root / "facts"), "-", "no endpoint facts files")
    families = _read_json(root / "families.json") if (root / "families.json").exists() else {}
    listed = families.get("order", []) if isinstance(families, dict) else None
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        raise CatalogError(str(root / "families.json"), "order", "must be a list of family names")
    family_order = {name: i for i, name in enumerate(listed)}
    tier_order = {t: i for i, t in enumerate(TIERS)}
    mode_order = {m: i for i, m in enumerate(MODE_NAMES)}
    endpoints.sort(key=lambda e: (family_order.get(e.family, 99), e.family, tier_order[e.tier], mode_order[e.mode]))
    return Catalog(endpoints)
