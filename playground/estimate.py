"""Output size, frame count and cost estimate of a request: fal's per-second quote where fal publishes one for the
request's resolution, else fal's video-token formula on the size table."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from playground.catalog import Endpoint
from playground.media import data_uri_video_seconds, image_shape

AUTO_SECONDS = 5  # `duration: auto` is estimated (and previewed offline) at 5 s
TEXT_DEFAULT_ASPECT = "16:9"


@dataclass(frozen=True)
class Shape:
    """What a request will produce: pixel size, frame rate, frame count, seconds."""

    width: int
    height: int
    fps: int
    frames: int
    seconds: float
    aspect_ratio: str
    notes: tuple[str, ...] = ()
    size_known: bool = True  # False when `auto` aspect could not be read from the input image
    frames_known: bool = True  # False for `duration: auto` (the model picks the length)
    resolution: str = "720p"
    size_doubt: str = ""  # why the size table's row is not fal's published size ("" when it is)

    @property
    def size_note(self) -> str:
        """What a figure resting on this size should say about it ("" for a published size)."""
        if not self.size_doubt:
            return ""
        return f"rests on the {self.resolution} size {self.width}×{self.height}, {self.size_doubt}"

    def expected(self) -> dict[str, int | None]:
        """What the output should be, as far as the request says (None where it does not)."""
        return {"width": self.width if self.size_known else None, "height": self.height if self.size_known else None,
                "fps": self.fps, "frames": self.frames if self.frames_known else None}


@dataclass(frozen=True)
class Estimate:
    """A cost estimate with the formula that produced it (always an estimate, never a bill)."""

    usd: float
    tokens: float
    width: int
    height: int
    fps: int
    frames: int
    seconds: float
    formula: str
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _value(endpoint: Endpoint, arguments: dict[str, Any], name: str) -> Any:
    value = arguments.get(name)
    if value is None and (field := endpoint.field(name)) is not None:
        value = field.default
    return value


def snap_aspect(width: int, height: int, ratios: list[str]) -> str:
    """The listed ratio nearest to width:height, compared on a log scale so 2:1 and 1:2 are equally far."""
    def distance(ratio: str) -> float:
        w, h = (int(x) for x in ratio.split(":"))
        return abs(math.log((width / height) / (w / h)))
    return min(ratios, key=distance)


def _source_image(arguments: dict[str, Any]) -> str | None:
    for name in ("image_url", "reference_image_urls", "image_urls"):
        value = arguments.get(name)
        if value:
            return value if isinstance(value, str) else value[0]
    return None


def output_shape(endpoint: Endpoint, arguments: dict[str, Any]) -> Shape:
    """Exact output size per the size table; `auto` aspect follows the input image."""
    notes: list[str] = []
    resolution = _value(endpoint, arguments, "resolution") or "720p"
    row = endpoint.sizes[resolution]
    aspect = _value(endpoint, arguments, "aspect_ratio") or TEXT_DEFAULT_ASPECT
    size_known = True
    if aspect == "auto":
        image = _source_image(arguments)
        shape = image_shape(image) if image else None
        if shape:
            aspect = snap_aspect(shape[0], shape[1], list(row))
            notes.append(f"aspect auto: input image {shape[0]}×{shape[1]} → {aspect}")
        else:
            aspect, size_known = TEXT_DEFAULT_ASPECT, not image
            reason = "no input image" if not image else "input image not readable here"
            notes.append(f"aspect auto: {reason}; assumed {aspect}")
    width, height = row[aspect]
    fps = endpoint.pricing.fps
    num_frames = arguments.get("num_frames")
    duration = _value(endpoint, arguments, "duration")
    if num_frames:
        frames = int(num_frames)
        notes.append(f"num_frames {frames} overrides duration")
    else:
        if duration in (None, "auto"):
            notes.append(f"duration auto: estimated at {AUTO_SECONDS} s (the model picks the real length)")
        seconds = AUTO_SECONDS if duration in (None, "auto") else int(duration)
        frames = seconds * fps
    frames_known = bool(num_frames) or duration not in (None, "auto")
    return Shape(width, height, fps, frames, frames / fps, aspect, tuple(notes), size_known, frames_known, resolution,
                 endpoint.size_doubt(resolution))


def estimate(endpoint: Endpoint, arguments: dict[str, Any]) -> Estimate:
    """fal's quote × seconds where fal quotes this resolution per second; else tokens = width × height × fps ×
    seconds / 1024 at the endpoint's price per million tokens. Reference videos add their seconds and the discount
    either way, as fal states both rules."""
    shape = output_shape(endpoint, arguments)
    pricing = endpoint.pricing
    notes = list(shape.notes)
    seconds, extra = _billed_seconds(endpoint, arguments, shape, notes)
    multiplier = (pricing.video_input_multiplier or 1.0) if arguments.get("video_urls") else 1.0
    discount = f" × {multiplier:g} (video references)" if multiplier != 1 else ""
    tokens = shape.width * shape.height * shape.fps * seconds / 1024
    values = {f.name: _value(endpoint, arguments, f.name) for f in endpoint.fields}
    price, variant = pricing.for_request(values)
    quote = None if variant else pricing.quote_for(shape.resolution, shape.aspect_ratio)
    if quote:
        usd = quote.usd_per_second * seconds * multiplier
        formula = (f"fal's quote for {quote.resolution}: ${quote.usd_per_second:g} per second × {seconds:g} s{extra}"
                   f"{discount} = ${usd:.4f}")
        notes.append(f"fal's quote: {quote.source}" + (f"; {quote.note}" if quote.note else ""))
        if shape.size_doubt:
            notes.append(f"the size {shape.width}×{shape.height} is {shape.size_doubt}; the quoted price does not "
                         "rest on it")
    else:
        usd = tokens / 1_000_000 * price * multiplier
        formula = (f"{shape.width} × {shape.height} px × {shape.fps} fps × {seconds:g} s{extra} ÷ 1024 = "
                   f"{tokens:,.0f} tokens; × ${price:g} per million tokens{discount} = ${usd:.4f}")
        notes += [f"priced for {variant.label}"] if variant else []
        notes += [shape.size_note] if shape.size_note else []
    if pricing.confidence != "published":
        notes.append(f"unconfirmed price ({pricing.confidence}): {pricing.source}")
    return Estimate(usd=round(usd, 6), tokens=round(tokens, 3), width=shape.width, height=shape.height, fps=shape.fps,
                    frames=shape.frames, seconds=round(seconds, 4), formula=formula, notes=notes)


def _billed_seconds(endpoint: Endpoint, arguments: dict[str, Any], shape: Shape, notes: list[str]) -> tuple[float, str]:
    """Seconds fal bills: the output's, plus the reference videos' where the endpoint adds them (what it adds, said)."""
    videos = arguments.get("video_urls") or []
    if not (endpoint.pricing.adds_input_video_seconds and videos):
        return shape.seconds, ""
    lengths = [data_uri_video_seconds(v) for v in videos]
    known = sum(x for x in lengths if x is not None)
    if None in lengths:
        notes.append("input video length unknown for URL references; not included")
    return shape.seconds + known, f" (+ {known:g} s of input video)"


def makes_sound(endpoint: Endpoint, arguments: dict[str, Any]) -> bool:
    """Whether the endpoint returns a clip with sound: it has a ``generate_audio`` switch, and it is on (its
    default when not sent). Seedance 1.5 Pro and 2.0 do; the 1.0 tiers are silent."""
    return endpoint.field("generate_audio") is not None and bool(_value(endpoint, arguments, "generate_audio"))
