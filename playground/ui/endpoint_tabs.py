"""The endpoint tabs, grouped by family, each built the first time it is shown.

Eighteen schema-built forms are four fifths of the page's components; built up front they made the config
(sent twice: in the page and at ``/config``) several hundred KB and start-up slow. So a tab holds only a hidden
``opening`` box until a visitor first selects it (or its family): the page itself (no round trip) writes "open"
there, and that change makes a ``gr.render`` build the tab for that visitor's session — one round trip. The
first endpoint tab is built on page load. A History restore leaves the run's form in the session's ``restores``
and writes a fresh restore mark in the tab's box, which rebuilds the tab showing that form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import gradio as gr

from playground.ui.endpoint_tab import build_endpoint_tab
from playground.ui.lean import built_when_opened, opening_box, opens_on_load, opens_on_select
from playground.ui.presets import PresetSaver
from playground.views import Endpoint, EndpointTabCalls, SessionCalls


@dataclass
class TabTarget:
    """Where an endpoint's tab sits, and the box that builds it (so a restore can switch to it and fill it)."""

    outer_id: str
    family_tabs: gr.Tabs
    tab_id: str
    opening: gr.Textbox

    @staticmethod
    def restoring() -> str:
        """An ``opening`` that rebuilds the tab from the session's restores (fresh each time, so it always changes)."""
        return f"restore-{uuid.uuid4().hex}"


def tab_label(endpoint: Endpoint, family: list[Endpoint]) -> str:
    """"Text → Video"; in a family with several tiers, the cheaper tiers say which ("Fast · Text → Video")."""
    mode = endpoint.mode_title
    return mode if endpoint.tier == "standard" or len({e.tier for e in family}) == 1 else f"{endpoint.tier.title()} · {mode}"


def _slug(text: str) -> str:
    return text.replace(" ", "-").replace(".", "-").lower()


def build_endpoint_tabs(tabs: EndpointTabCalls, sessions: SessionCalls, demo: gr.Blocks, session: gr.State,
                        saver: PresetSaver, restores: gr.State) -> dict[str, TabTarget]:
    """A tab per family, a tab per endpoint inside it, each built on first sight; returns where each endpoint is.
    ``restores`` holds, per endpoint id, the form a History restore last asked its tab to show."""
    targets: dict[str, TabTarget] = {}
    for family, endpoints in tabs.families().items():
        family_id = f"family-{_slug(family)}"
        with gr.Tab(family, id=family_id, elem_id=family_id) as family_tab:
            with gr.Tabs(overflow_behavior="wrap") as family_tabs:
                for endpoint in endpoints:
                    tab_id = f"tab-{endpoint.slug}"
                    with gr.Tab(tab_label(endpoint, endpoints), id=tab_id, elem_id=tab_id) as tab:
                        opening = opening_box(f"{endpoint.slug}-opening")
                        _lazy_tab(tabs, sessions, endpoint, session, saver, opening, restores,
                                  demo if not targets else None)
                    opens_on_select(tab, opening, f"open_{endpoint.slug}")
                    targets[endpoint.endpoint_id] = TabTarget(family_id, family_tabs, tab_id, opening)
        first = targets[endpoints[0].endpoint_id].opening  # what a family shows when it is chosen
        opens_on_select(family_tab, first, f"open_{family_id}")
    return targets


def _lazy_tab(tabs: EndpointTabCalls, sessions: SessionCalls, endpoint: Endpoint, session: gr.State,
              saver: PresetSaver, opening: gr.Textbox, restores: gr.State, built_on_load: gr.Blocks | None) -> None:
    """The tab's content, built for a session when ``opening`` changes (and on page load for the first tab)."""

    def build(mark: str, forms: dict | None) -> None:
        form = (forms or {}).get(endpoint.endpoint_id) if (mark or "").startswith("restore-") else None
        build_endpoint_tab(tabs, sessions, endpoint, session, saver, form)

    built_when_opened(opening, build, [restores])
    if built_on_load is not None:
        opens_on_load(built_on_load, opening, "open_on_load")
