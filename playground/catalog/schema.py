"""Turn fal's OpenAPI document for one endpoint into typed fields (classify, then dispatch)."""

from __future__ import annotations

from typing import Any

from playground.catalog.model import Field, Kind
from playground.errors import CatalogError

MEDIA_LIST_KINDS: dict[str, Kind] = {"image": "image_urls", "video": "video_urls", "audio": "audio_urls"}


def input_schema(doc: dict[str, Any], endpoint_id: str, file: str) -> dict[str, Any]:
    """Follow the submit POST's request-body ``$ref`` to the input schema, as fal's layout requires."""
    try:
        ref = doc["paths"][f"/{endpoint_id}"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    except (KeyError, TypeError):
        raise CatalogError(file, f"paths./{endpoint_id}.post.requestBody",
                           "no input schema $ref for this endpoint id") from None
    prefix = "#/components/schemas/"
    name = ref[len(prefix):] if isinstance(ref, str) and ref.startswith(prefix) else None
    schema = doc.get("components", {}).get("schemas", {}).get(name) if name else None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise CatalogError(file, f"components.schemas.{name or ref}", "missing or not an object schema")
    return schema


def _unwrap_nullable(prop: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    """fal writes optional fields as ``anyOf [X, null]``; merge X into the property."""
    if "anyOf" not in prop:
        return prop
    options = [o for o in prop["anyOf"] if o != {"type": "null"}]
    if len(options) != 1 or not isinstance(options[0], dict):
        raise CatalogError(file, where, "anyOf other than [X, null] is not supported")
    merged = {k: v for k, v in prop.items() if k != "anyOf"}
    return {**options[0], **merged}


def kind_of(name: str, prop: dict[str, Any]) -> Kind | None:
    """Classify one (unwrapped) property; None means a shape we cannot render."""
    t = prop.get("type")
    if "enum" in prop and t == "string":
        return "enum"
    if t == "boolean":
        return "boolean"
    if t == "integer":
        if name == "seed":
            return "seed"
        return "integer_range" if "minimum" in prop and "maximum" in prop else "integer"
    if t == "string":
        if name == "prompt":
            return "prompt"
        return "image_url" if name.endswith("image_url") else "text"
    if t == "array" and prop.get("items", {}).get("type") == "string":
        return next((kind for media, kind in MEDIA_LIST_KINDS.items() if media in name), None)
    return None


def parse_fields(doc: dict[str, Any], endpoint_id: str, file: str) -> tuple[Field, ...]:
    """All input fields in ``x-fal-order-properties`` order (unlisted ones after, by name)."""
    schema = input_schema(doc, endpoint_id, file)
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        raise CatalogError(file, "input.properties", "no properties")
    order = list(schema.get("x-fal-order-properties") or [])
    unknown = [n for n in order if n not in props]
    if unknown:
        raise CatalogError(file, "x-fal-order-properties", f"names unknown properties {unknown}")
    order += sorted(n for n in props if n not in order)
    required = set(schema.get("required") or [])
    fields = []
    for position, name in enumerate(order):
        where = f"properties.{name}"
        prop = _unwrap_nullable(props[name], file, where)
        kind = kind_of(name, prop)
        if kind is None:
            raise CatalogError(file, where, f"unsupported schema shape {prop.get('type')!r}")
        enum = tuple(prop.get("enum") or ())
        default = prop.get("default")
        if enum and default is not None and default not in enum:
            raise CatalogError(file, f"{where}.default", f"{default!r} is not one of {list(enum)}")
        fields.append(Field(
            name=name, kind=kind, title=str(prop.get("title") or name), description=str(prop.get("description") or ""),
            required=name in required, position=position, default=default, enum=enum,
            minimum=prop.get("minimum"), maximum=prop.get("maximum"),
            min_items=prop.get("minItems"), max_items=prop.get("maxItems")))
    return tuple(fields)
