"""Schema field → Gradio components, one small factory per field kind (no per-endpoint code).

Each factory returns a FieldWidgets: the components it made and how to read them back into the
plain form value that ``playground.form`` expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.catalog import Endpoint, Field
from playground.form import is_toggled
from playground.ui.files import served

PRIMARY_COUNT = 6  # fields past this position in x-fal-order-properties, unless required, fold into "Advanced"
FILE_TYPES = {"image_urls": ["image"], "video_urls": ["video"], "audio_urls": ["audio"]}


@dataclass
class FieldWidgets:
    """The components of one field, a reader (component values → form value) and a writer (the reverse)."""

    field: Field
    components: list[gr.components.Component]
    read: Callable[[dict], Any]
    write: Callable[[Any], list[Any]] = lambda value: [value]  # form value → one value per component


def is_advanced(field: Field) -> bool:
    return not field.required and field.position >= PRIMARY_COUNT


def elem_id(endpoint: Endpoint, field: Field, part: str = "") -> str:
    return f"{endpoint.slug}-{field.name}" + (f"-{part}" if part else "")


def _label(field: Field) -> str:
    return field.title + (" *" if field.required else "")


def _prompt(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Textbox(label=_label(f), info=f.description, lines=4, elem_id=elem_id(e, f),
                     placeholder="Describe the shot: subject, action, camera, light…")
    return FieldWidgets(f, [box], lambda d: d[box])


def _text(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Textbox(label=_label(f), info=f.description, value=f.default or "", elem_id=elem_id(e, f))
    return FieldWidgets(f, [box], lambda d: d[box])


def _enum(e: Endpoint, f: Field) -> FieldWidgets:
    dd = gr.Dropdown(choices=list(f.enum), value=f.default if f.default is not None else f.enum[0], label=_label(f),
                     info=f.description, elem_id=elem_id(e, f))
    return FieldWidgets(f, [dd], lambda d: d[dd])


def _boolean(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Checkbox(value=bool(f.default), label=_label(f), info=f.description, elem_id=elem_id(e, f))
    return FieldWidgets(f, [box], lambda d: d[box])


def _seed(e: Endpoint, f: Field) -> FieldWidgets:
    with gr.Row():
        number = gr.Number(label=_label(f), info=f.description, precision=0, value=None, elem_id=elem_id(e, f))
        random = gr.Checkbox(value=True, label="Random seed", info="Untick to send the seed above (fixed seeds compare fairly)",
                             elem_id=elem_id(e, f, "random"))
    return FieldWidgets(f, [number, random], lambda d: {"value": d[number], "random": d[random]},
                        lambda v: [v["value"], v["random"]])


def _integer_range(e: Endpoint, f: Field) -> FieldWidgets:
    value = f.default if f.default is not None else f.minimum
    slider = gr.Slider(f.minimum, f.maximum, step=1, value=value, label=_label(f), info=f.description, elem_id=elem_id(e, f))
    if not is_toggled(f):
        return FieldWidgets(f, [slider], lambda d: d[slider])
    enabled = gr.Checkbox(value=False, label=f"Send {f.name}", info="Off: fal's default applies", elem_id=elem_id(e, f, "enabled"))
    return FieldWidgets(f, [slider, enabled], lambda d: {"value": d[slider], "enabled": d[enabled]},
                        lambda v: [v["value"], v["enabled"]])


def _integer(e: Endpoint, f: Field) -> FieldWidgets:
    number = gr.Number(label=_label(f), info=f.description, precision=0, value=f.default, elem_id=elem_id(e, f))
    return FieldWidgets(f, [number], lambda d: d[number])


def _image(e: Endpoint, f: Field) -> FieldWidgets:
    with gr.Group():
        upload = gr.Image(type="filepath", label=_label(f), sources=["upload", "clipboard"], height=220,
                          elem_id=elem_id(e, f, "upload"))
        url = gr.Textbox(label=f"…or {f.title} URL", info=f.description, placeholder="https://…", elem_id=elem_id(e, f, "url"))
    return FieldWidgets(f, [upload, url], lambda d: {"upload": d[upload], "url": d[url]},
                        lambda v: [served(upload, v["upload"]), v["url"]])


def _media_list(e: Endpoint, f: Field) -> FieldWidgets:
    limit = f" (up to {f.max_items})" if f.max_items else ""
    with gr.Group():
        files = gr.File(file_count="multiple", file_types=FILE_TYPES[f.kind], type="filepath", label=_label(f) + limit,
                        elem_id=elem_id(e, f, "upload"))
        urls = gr.Textbox(label=f"…or {f.title}, one URL per line", info=f.description, lines=2, elem_id=elem_id(e, f, "url"))
    return FieldWidgets(f, [files, urls], lambda d: {"uploads": d[files] or [], "urls": d[urls]},
                        lambda v: [[served(files, p) for p in v["uploads"]] or None, v["urls"]])


WIDGETS: dict[str, Callable[[Endpoint, Field], FieldWidgets]] = {
    "prompt": _prompt, "text": _text, "enum": _enum, "boolean": _boolean, "seed": _seed,
    "integer_range": _integer_range, "integer": _integer, "image_url": _image,
    "image_urls": _media_list, "video_urls": _media_list, "audio_urls": _media_list,
}


def build_fields(endpoint: Endpoint) -> list[FieldWidgets]:
    """All fields of a tab, primary first, the rest inside an "Advanced" accordion (inside a Blocks context)."""
    primary = [f for f in endpoint.fields if not is_advanced(f)]
    advanced = [f for f in endpoint.fields if is_advanced(f)]
    built = [WIDGETS[f.kind](endpoint, f) for f in primary]
    if advanced:
        with gr.Accordion("Advanced", open=False, elem_id=f"{endpoint.slug}-advanced"):
            built += [WIDGETS[f.kind](endpoint, f) for f in advanced]
    return built


def read_form(widgets: list[FieldWidgets], data: dict) -> dict[str, Any]:
    return {w.field.name: w.read(data) for w in widgets}


def write_form(widgets: list[FieldWidgets], form: dict[str, Any]) -> dict[gr.components.Component, Any]:
    """Component values that show ``form`` (the inverse of read_form): restore and presets."""
    return {c: value for w in widgets for c, value in zip(w.components, w.write(form[w.field.name]), strict=True)}


def default_form(widgets: list[FieldWidgets]) -> dict[str, Any]:
    """The form as first shown, for the initial estimate and snippets."""
    return read_form(widgets, {c: c.value for w in widgets for c in w.components})
