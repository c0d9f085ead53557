"""Schema field → Gradio components, one small factory per field kind (no per-endpoint code).

Each factory returns a FieldWidgets: the components it made and how to read them back into the plain form
value that ``playground.form`` expects. Events that read forms run with ``preprocess=False`` (see
``FORM_EVENT``): Gradio's own image preprocessing opens every upload with PIL and fails, with no message,
on a file that is not an image; read raw, such a file reaches the core, which names the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from playground.catalog import Endpoint, Field
from playground.form import is_toggled
from playground.present import field_info, field_label, url_label
from playground.ui.files import served

PRIMARY_COUNT = 6  # fields past this position in x-fal-order-properties, unless required, fold into "Advanced"
FILE_TYPES = {"image_urls": ["image"], "video_urls": ["video"], "audio_urls": ["audio"]}
FORM_EVENT = {"preprocess": False, "api_visibility": "private"}  # how every event reading a form is wired
SEED_TYPED = "(value) => value === null || value === undefined || value === ''"  # typing a seed unticks Random
SEED_RANDOM = "(random, value) => random ? '' : value"  # ticking Random clears the seed box


@dataclass
class FieldWidgets:
    """The components of one field, a reader (component values → form value) and a writer (the reverse)."""

    field: Field
    components: list[gr.components.Component]
    read: Callable[[dict], Any]
    write: Callable[[Any], list[Any]] = lambda value: [value]  # form value → one value per component


def path_of(value: Any) -> str | None:
    """An upload's file path, whether Gradio preprocessed it (a path) or not (its file data)."""
    if isinstance(value, dict):
        return value.get("path")
    return value or None


def is_advanced(field: Field) -> bool:
    return not field.required and field.position >= PRIMARY_COUNT


def elem_id(endpoint: Endpoint, field: Field, part: str = "") -> str:
    return f"{endpoint.slug}-{field.name}" + (f"-{part}" if part else "")


def _prompt(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Textbox(label=field_label(f), info=field_info(f), lines=4, elem_id=elem_id(e, f),
                     placeholder="Describe the shot: subject, action, camera, light…")
    return FieldWidgets(f, [box], lambda d: d[box])


def _text(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Textbox(label=field_label(f), info=field_info(f), value=f.default or "", elem_id=elem_id(e, f))
    return FieldWidgets(f, [box], lambda d: d[box])


def _enum(e: Endpoint, f: Field) -> FieldWidgets:
    dd = gr.Dropdown(choices=list(f.enum), value=f.default if f.default is not None else f.enum[0],
                     label=field_label(f), info=field_info(f), elem_id=elem_id(e, f))
    return FieldWidgets(f, [dd], lambda d: d[dd])


def _boolean(e: Endpoint, f: Field) -> FieldWidgets:
    box = gr.Checkbox(value=bool(f.default), label=field_label(f), info=field_info(f), elem_id=elem_id(e, f))
    return FieldWidgets(f, [box], lambda d: d[box])


def _seed(e: Endpoint, f: Field) -> FieldWidgets:
    """A seed box and a Random toggle that agree: typing a seed unticks Random, ticking Random empties the box."""
    with gr.Row(equal_height=True):
        random = gr.Checkbox(value=True, label="Random seed", elem_id=elem_id(e, f, "random"), scale=1, min_width=140)
        # a text box: Gradio's number box shows 0 when empty, and rounds what it is given
        number = gr.Textbox(label="Seed", info=field_info(f), value="", placeholder="random: the model picks",
                            max_lines=1, elem_id=elem_id(e, f), scale=3)
    number.change(None, number, random, js=SEED_TYPED, api_visibility="private")  # in the page only: no round trip
    random.change(None, [random, number], number, js=SEED_RANDOM, api_visibility="private")
    return FieldWidgets(f, [number, random], lambda d: {"value": d[number], "random": d[random]},
                        lambda v: ["" if v["value"] is None else str(v["value"]), v["random"]])


def _integer_range(e: Endpoint, f: Field) -> FieldWidgets:
    value = f.default if f.default is not None else f.minimum
    slider = gr.Slider(f.minimum, f.maximum, step=1, value=value, label=field_label(f), info=field_info(f),
                       elem_id=elem_id(e, f))
    if not is_toggled(f):
        return FieldWidgets(f, [slider], lambda d: d[slider])
    enabled = gr.Checkbox(value=False, label=f"Send {f.name}", info="Off: fal's default applies",
                          elem_id=elem_id(e, f, "enabled"))
    return FieldWidgets(f, [slider, enabled], lambda d: {"value": d[slider], "enabled": d[enabled]},
                        lambda v: [v["value"], v["enabled"]])


def _integer(e: Endpoint, f: Field) -> FieldWidgets:
    number = gr.Number(label=field_label(f), info=field_info(f), value=f.default, elem_id=elem_id(e, f))
    return FieldWidgets(f, [number], lambda d: d[number])


def _image(e: Endpoint, f: Field) -> FieldWidgets:
    with gr.Group(elem_id=elem_id(e, f)):
        upload = gr.Image(type="filepath", image_mode=None, label=field_label(f), sources=["upload", "clipboard"],
                          height=200, elem_id=elem_id(e, f, "upload"))
        url = gr.Textbox(label=url_label(f), info=field_info(f), placeholder="https://…", elem_id=elem_id(e, f, "url"))
    return FieldWidgets(f, [upload, url], lambda d: {"upload": path_of(d[upload]), "url": d[url]},
                        lambda v: [served(upload, v["upload"]), v["url"]])


def _media_list(e: Endpoint, f: Field) -> FieldWidgets:
    limit = f" (up to {f.max_items})" if f.max_items else ""
    with gr.Group(elem_id=elem_id(e, f)):
        files = gr.File(file_count="multiple", file_types=FILE_TYPES[f.kind], type="filepath",
                        label=field_label(f) + limit, elem_id=elem_id(e, f, "upload"))
        urls = gr.Textbox(label=url_label(f), info=field_info(f), lines=2, elem_id=elem_id(e, f, "url"))
    return FieldWidgets(f, [files, urls],
                        lambda d: {"uploads": [p for p in map(path_of, d[files] or []) if p], "urls": d[urls]},
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


def components(widgets: list[FieldWidgets]) -> list[gr.components.Component]:
    return [c for w in widgets for c in w.components]
