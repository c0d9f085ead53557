"""Frozen value objects for the catalog: an endpoint, its fields, its pricing rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from playground.catalog.modes import BY_NAME

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
class SecondQuote:
    """fal's own price per second of output at one resolution. Where it applies, the estimate is this × seconds:
    fal's figure, not our token count on a size table that may be a guess."""

    resolution: str
    usd_per_second: float
    source: str
    aspect_ratios: tuple[str, ...] = ()  # () = every aspect ratio the endpoint offers
    note: str = ""  # shown with every estimate the quote makes

    def applies(self, resolution: str, aspect_ratio: str) -> bool:
        return resolution == self.resolution and (not self.aspect_ratios or aspect_ratio in self.aspect_ratios)


@dataclass(frozen=True)
class Pricing:
    """Our pricing rule for an endpoint: fal's per-second quote where fal publishes one for the request's resolution,
    else fal's video-token formula at a price per million tokens (the first variant whose field values the request
    has, else the base price); and fal's billing unit where it is known."""

    usd_per_million_tokens: float
    fps: int
    confidence: str
    source: str
    quoted: str = ""
    video_input_multiplier: float | None = None
    adds_input_video_seconds: bool = False
    variants: tuple[PriceVariant, ...] = ()
    billing: Billing | None = None
    per_second_quotes: tuple[SecondQuote, ...] = ()

    def quote_for(self, resolution: str, aspect_ratio: str) -> SecondQuote | None:
        """fal's per-second quote for this output, if it publishes one (quotes are at the base price, no variant)."""
        return next((q for q in self.per_second_quotes if q.applies(resolution, aspect_ratio)), None)

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
    unconfirmed_sizes: dict[str, str] = field(default_factory=dict, hash=False, compare=False)  # resolution → why

    def size_doubt(self, resolution: str) -> str:
        """Why the size table's row for ``resolution`` is not fal's published size ("" when it is)."""
        return self.unconfirmed_sizes.get(resolution, "")

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def mode_title(self) -> str:
        """The mode as a tab says it: "Text → Video"."""
        return BY_NAME[self.mode].title

    @property
    def mode_short(self) -> str:
        """The mode as History's table says it: "T2V"."""
        return BY_NAME[self.mode].short

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
