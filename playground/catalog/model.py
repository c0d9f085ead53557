"""Frozen value objects for the catalog: an endpoint, its fields, its pricing rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["prompt", "seed", "enum", "boolean", "integer_range", "integer", "text",
               "image_url", "image_urls", "video_urls", "audio_urls"]


@dataclass(frozen=True)
class Field:
    """One input of an endpoint, as its OpenAPI schema describes it."""

    name: str
    kind: Kind
    title: str
    description: str
    required: bool
    position: int
    default: Any = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    min_items: int | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class PriceVariant:
    """A price that applies when the request's fields have these values (e.g. ``generate_audio: false``)."""

    when: tuple[tuple[str, Any], ...]
    usd_per_million_tokens: float

    def applies(self, values: dict[str, Any]) -> bool:
        return all(values.get(name) == value for name, value in self.when)

    @property
    def label(self) -> str:
        return ", ".join(f"{name} {str(value).lower()}" for name, value in self.when)


@dataclass(frozen=True)
class Billing:
    """What fal bills this endpoint by (its pricing API's unit and price): ``x-fal-billable-units`` × ``usd_per_unit``."""

    unit: str
    usd_per_unit: float
    source: str = ""


@dataclass(frozen=True)
class Pricing:
    """Our pricing rule for an endpoint: fal's video-token formula at a price per million tokens (the first variant
    whose field values the request has, else the base price), and fal's billing unit where it is known."""

    usd_per_million_tokens: float
    fps: int
    confidence: str
    source: str
    quoted: str = ""
    video_input_multiplier: float | None = None
    adds_input_video_seconds: bool = False
    variants: tuple[PriceVariant, ...] = ()
    billing: Billing | None = None

    def for_request(self, values: dict[str, Any]) -> tuple[float, PriceVariant | None]:
        """(price per million tokens, the variant that set it) for a request's field values (defaults applied)."""
        variant = next((v for v in self.variants if v.applies(values)), None)
        return (variant.usd_per_million_tokens if variant else self.usd_per_million_tokens), variant


@dataclass(frozen=True)
class Endpoint:
    """A fal endpoint: its schema-derived fields plus our own facts about it."""

    endpoint_id: str
    label: str
    family: str
    tier: str
    mode: str
    fields: tuple[Field, ...]
    pricing: Pricing
    sizes: dict[str, dict[str, tuple[int, int]]] = field(hash=False, compare=False)
    notes: tuple[str, ...] = ()
    constraints: tuple[dict[str, Any], ...] = ()
    image_formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    slug: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # (shared Compare name, this endpoint's field name)
    retired: str = ""  # set by the refresh command when fal stops serving the endpoint: since when and why

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def short_label(self) -> str:
        """Family plus tier where the family name does not already say it: "1.0 Pro Fast", "2.0 fast"."""
        return self.family if self.tier == "standard" or self.tier in self.family.lower() else f"{self.family} {self.tier}"

    def own_name(self, shared: str) -> str:
        """The field a Compare setting called ``shared`` goes to on this endpoint."""
        return dict(self.aliases).get(shared, shared)

    def shared_name(self, own: str) -> str:
        return {o: s for s, o in self.aliases}.get(own, own)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def summary(self) -> dict[str, str]:
        """The public `/catalog` row."""
        return {"endpoint_id": self.endpoint_id, "label": self.label, "family": self.family,
                "tier": self.tier, "mode": self.mode}
