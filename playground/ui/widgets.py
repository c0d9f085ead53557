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

from playground.ui.files import served, served_files
from playground.views import FieldView, FormLayout

FILE_TYPES = {"image_urls": ["image"], "video_urls": ["video"], "audio_urls": ["audio"]}
FORM_EVENT: dict[str, Any] = {"preprocess": False, "api_visibility": "private"}  # every event reading a form
SEED_TYPED = "(value) => value === null || value === undefined || value === ''"  # typing a seed unticks Random
SEED_RANDOM = "(random, value) => random ? '' : value"  # ticking Random clears the seed box


def _single(value: Any) -> list[Any]:
    """The writer of a field with one component: its form value is the component's value."""
    return [value]


@dataclass
class FieldWidgets:
    """The components of one field, a reader (component values → form value) and a writer (the reverse)."""

    view: FieldView
    components: list[gr.components.Component]
    read: Callable[[dict], Any]
    write: Callable[[Any], list[Any]] = _single  # form value → one value per component (files as paths)

    @property
    def name(self) -> str:
        return self.view.field.name


def path_of(value: Any) -> str | None:
    """An upload's file path, whether Gradio preprocessed it (a path) or not (its file data)."""
    if isinstance(value, dict):
        return value.get("path")
    return value or None


def elem_id(slug: str, view: FieldView, part: str = "") -> str:
    return f"{slug}-{view.field.name}" + (f"-{part}" if part else "")


# Every field says it is interactive: Gradio's page infers it for components built at start-up only, and shows
# a field built later (a tab built on first sight) with a value as read-only.


def shown(component: gr.components.Component, value: Any) -> Any:
    """A writer's value as ``component`` can show it: files (which may sit in the blocked data directory) as
    servable copies in Gradio's cache; anything else as it is."""
    if isinstance(component, gr.Image):
        return served(component, value)
    if isinstance(component, gr.File):
        return served_files(component, value)
    return value


class Start:
    """Where a field's components start: its default, or (a restored tab) the value a form gives it.

    Files of a restored form are copied into Gradio's cache through ``anchor`` (a block already built) before
    the component exists, since a component may not be built from a path in the blocked data directory."""

    def __init__(self, form: dict[str, Any] | None = None, anchor: gr.blocks.Block | None = None):
        self.form, self.anchor = form, anchor

    def values(self, view: FieldView, defaults: list[Any], write: Callable[[Any], list[Any]] = _single) -> list[Any]:
        if not self.form or view.field.name not in self.form:
            return defaults
        return write(self.form[view.field.name])

    def file(self, path: str | None) -> str | None:
        return served(self.anchor, path) if self.anchor is not None and path else None

    def files(self, paths: list[str] | None) -> list[str] | None:
        return served_files(self.anchor, paths) if self.anchor is not None else None


def _prompt(e: str, v: FieldView, s: Start) -> FieldWidgets:
    [value] = s.values(v, [""])
    box = gr.Textbox(interactive=True, value=value, label=v.label, info=v.info, lines=4, elem_id=elem_id(e, v),
                     placeholder="Describe the shot: subject, action, camera, light…")
    return FieldWidgets(v, [box], lambda d: d[box])


def _text(e: str, v: FieldView, s: Start) -> FieldWidgets:
    [value] = s.values(v, [v.field.default or ""])
    box = gr.Textbox(interactive=True, label=v.label, info=v.info, value=value, elem_id=elem_id(e, v))
    return FieldWidgets(v, [box], lambda d: d[box])


def _enum(e: str, v: FieldView, s: Start) -> FieldWidgets:
    f = v.field
    [value] = s.values(v, [f.default if f.default is not None else f.enum[0]])
    dd = gr.Dropdown(interactive=True, choices=list(f.enum), value=value, label=v.label, info=v.info,
                     elem_id=elem_id(e, v))
    return FieldWidgets(v, [dd], lambda d: d[dd])


def _boolean(e: str, v: FieldView, s: Start) -> FieldWidgets:
    [value] = s.values(v, [bool(v.field.default)])
    box = gr.Checkbox(interactive=True, value=value, label=v.label, info=v.info, elem_id=elem_id(e, v))
    return FieldWidgets(v, [box], lambda d: d[box])


def _write_seed(value: dict) -> list[Any]:
    return ["" if value["value"] is None else str(value["value"]), value["random"]]


def _seed(e: str, v: FieldView, s: Start) -> FieldWidgets:
    """A seed box and a Random toggle that agree: typing a seed unticks Random, ticking Random empties the box."""
    seed, is_random = s.values(v, ["", True], _write_seed)
    with gr.Row(equal_height=True):
        random = gr.Checkbox(interactive=True, value=is_random, label="Random seed", elem_id=elem_id(e, v, "random"),
                             scale=1, min_width=140)
        # a text box: Gradio's number box shows 0 when empty, and rounds what it is given
        number = gr.Textbox(interactive=True, label="Seed", info=v.info, value=seed,
                            placeholder="random: the model picks", max_lines=1, elem_id=elem_id(e, v), scale=3)
    number.change(None, number, random, js=SEED_TYPED, api_visibility="private")  # in the page only: no round trip
    random.change(None, [random, number], number, js=SEED_RANDOM, api_visibility="private")
    return FieldWidgets(v, [number, random], lambda d: {"value": d[number], "random": d[random]}, _write_seed)


def _write_toggled(value: dict) -> list[Any]:
    return [value["value"], value["enabled"]]


def _integer_range(e: str, v: FieldView, s: Start) -> FieldWidgets:
    default = v.field.default if v.field.default is not None else v.field.minimum
    value, *enabled = s.values(v, [default, False], _write_toggled) if v.toggled else s.values(v, [default])
    assert v.field.minimum is not None and v.field.maximum is not None, "an integer range has both bounds"
    slider = gr.Slider(v.field.minimum, v.field.maximum, interactive=True, step=1, value=value, label=v.label,
                       info=v.info, elem_id=elem_id(e, v))
    if not v.toggled:
        return FieldWidgets(v, [slider], lambda d: d[slider])
    box = gr.Checkbox(interactive=True, value=enabled[0], label=f"Send {v.field.name}",
                      info="Off: fal's default applies", elem_id=elem_id(e, v, "enabled"))
    return FieldWidgets(v, [slider, box], lambda d: {"value": d[slider], "enabled": d[box]}, _write_toggled)


def _integer(e: str, v: FieldView, s: Start) -> FieldWidgets:
    [value] = s.values(v, [v.field.default])
    number = gr.Number(interactive=True, label=v.label, info=v.info, value=value, elem_id=elem_id(e, v))
    return FieldWidgets(v, [number], lambda d: d[number])


def _write_image(value: dict) -> list[Any]:
    return [value["upload"], value["url"]]


def _image(e: str, v: FieldView, s: Start) -> FieldWidgets:
    upload_value, url_value = s.values(v, [None, ""], _write_image)
    with gr.Group(elem_id=elem_id(e, v)):
        upload = gr.Image(interactive=True, value=s.file(upload_value), type="filepath", image_mode=None,
                          label=v.label, sources=["upload", "clipboard"], height=200, elem_id=elem_id(e, v, "upload"))
        url = gr.Textbox(interactive=True, value=url_value, label=v.url_label, info=v.info, placeholder="https://…",
                         elem_id=elem_id(e, v, "url"))
    return FieldWidgets(v, [upload, url], lambda d: {"upload": path_of(d[upload]), "url": d[url]}, _write_image)


def _write_media(value: dict) -> list[Any]:
    return [value["uploads"] or None, value["urls"]]


def _media_list(e: str, v: FieldView, s: Start) -> FieldWidgets:
    limit = f" (up to {v.field.max_items})" if v.field.max_items else ""
    uploads_value, urls_value = s.values(v, [None, ""], _write_media)
    with gr.Group(elem_id=elem_id(e, v)):
        files = gr.File(interactive=True, value=s.files(uploads_value), file_count="multiple",
                        file_types=FILE_TYPES[v.field.kind], type="filepath", label=v.label + limit,
                        elem_id=elem_id(e, v, "upload"))
        urls = gr.Textbox(interactive=True, value=urls_value, label=v.url_label, info=v.info, lines=2,
                          elem_id=elem_id(e, v, "url"))
    return FieldWidgets(v, [files, urls],
                        lambda d: {"uploads": [p for p in map(path_of, d[files] or []) if p], "urls": d[urls]},
                        _write_media)


WIDGETS: dict[str, Callable[[str, FieldView, Start], FieldWidgets]] = {
    "prompt": _prompt, "text": _text, "enum": _enum, "boolean": _boolean, "seed": _seed,
    "integer_range": _integer_range, "integer": _integer, "image_url": _image,
    "image_urls": _media_list, "video_urls": _media_list, "audio_urls": _media_list,
}


def build_fields(layout: FormLayout, start: Start | None = None) -> list[FieldWidgets]:
    """All fields of a form, primary first, the rest inside an "Advanced" accordion (inside a Blocks context),
    each showing its default or, from ``start``, a given form."""
    start = start or Start()
    built = [WIDGETS[v.field.kind](layout.slug, v, start) for v in layout.fields if not v.advanced]
    if any(v.advanced for v in layout.fields):
        with gr.Accordion("Advanced", open=False, elem_id=f"{layout.slug}-advanced"):
            built += [WIDGETS[v.field.kind](layout.slug, v, start) for v in layout.fields if v.advanced]
    return built


def read_form(widgets: list[FieldWidgets], data: dict) -> dict[str, Any]:
    return {w.name: w.read(data) for w in widgets}


def write_form(widgets: list[FieldWidgets], form: dict[str, Any]) -> dict[gr.components.Component, Any]:
    """Component values that show ``form`` (the inverse of read_form): presets, and a comparison's restore."""
    return {c: shown(c, value) for w in widgets for c, value in zip(w.components, w.write(form[w.name]), strict=True)}


def default_form(widgets: list[FieldWidgets]) -> dict[str, Any]:
    """The form as first shown, for the initial estimate and snippets."""
    return read_form(widgets, {c: c.value for w in widgets for c in w.components})


def components(widgets: list[FieldWidgets]) -> list[gr.components.Component]:
    return [c for w in widgets for c in w.components]


def changes(components: Any) -> list[Any]:
    """The change event of each form component (every one a form shows has one; Gradio's base types do not say
    so)."""
    return [component.change for component in components]
