"""The facade's calls for the endpoint tabs (``Playground.tabs``): each tab's form, its estimate and code as it is
filled in, its Run and Cancel, and the presets it starts from or saves.

Data flows one way: form → arguments (form.py) → validated request → estimate → launcher → one row in the log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from playground.backend_present import cancel_line
from playground.backends import registry
from playground.catalog import Catalog, Endpoint
from playground.config import PublicMode
from playground.errors import InputError, PlaygroundError, RunError
from playground.form import arguments_from_form, form_from_arguments
from playground.inputs import Inputs
from playground.launcher import Launcher
from playground.present import FormLayout, FormView, RunView, RunWatcher, Shown, code_panes, endpoint_title, form_layout
from playground.presets import Presets, Saved, refusal_message, save_message
from playground.record import RunRecord
from playground.visitor import Visitor


class EndpointTabCalls:
    """One method per endpoint-tab event (and the page's one "save as preset" panel)."""

    def __init__(self, launcher: Launcher, presets: Presets, public: PublicMode, shown: Shown):
        self.launcher, self.presets, self.public, self.shown = launcher, presets, public, shown

    @property
    def catalog(self) -> Catalog:
        return self.launcher.catalog

    @property
    def inputs(self) -> Inputs:
        return self.launcher.inputs

    # -- the tabs as built ---------------------------------------------------------------------------------
    def families(self) -> dict[str, list[Endpoint]]:
        return self.catalog.families()

    def title(self, endpoint: Endpoint) -> str:
        return endpoint_title(endpoint.label, endpoint.endpoint_id, endpoint.retired, endpoint.notes)

    def form_layout(self, endpoint_id: str) -> FormLayout:
        return form_layout(self.launcher.endpoint(endpoint_id))

    # -- a tab's events --------------------------------------------------------------------------------------
    def form_view(self, endpoint_id: str, form: dict[str, Any]) -> FormView:
        """What a tab shows beside Run for its form as it is now: every problem, the estimate, the request and client
        code. Never raises."""
        draft = self.launcher.draft(endpoint_id, form)
        return FormView.of(draft.cost, draft.problems, code_panes(draft.endpoint.endpoint_id, draft.arguments))

    async def run_form(self, endpoint_id: str, form: dict[str, Any], visitor: Visitor) -> AsyncIterator[RunView]:
        """A tab's Run: what its run area shows, from "submitting…" to the result. A run that cannot start (bad
        input, a limit) says why once, where its result would be, and sends nothing."""
        watcher = RunWatcher(self.shown)
        yield watcher.starting()
        try:
            arguments = arguments_from_form(self.launcher.endpoint(endpoint_id), form, self.inputs.file_data_uri)
            async for item in self.launcher.generate(endpoint_id, arguments, visitor):
                yield watcher.finished(item.as_dict(), item.video_path) if isinstance(item, RunRecord) \
                    else watcher.event(item)
        except PlaygroundError as exc:
            yield watcher.refused(exc)

    def cancel_note(self, session_key: str | None) -> str:
        """What a tab's Cancel does for this session's runs: stop a render here, or send a cancel to fal.ai."""
        try:
            backend = registry.kind(self.launcher.backend_for(session_key).name)
        except RunError:  # PLAYGROUND_BACKEND=fal without a key: no run can start
            backend = None
        return cancel_line(backend, self.launcher.route)

    # -- presets ---------------------------------------------------------------------------------------------
    def preset_problems(self) -> list[str]:
        """Preset files that could not be loaded, each with its file and key (the page lists them)."""
        return self.presets.problems

    def preset_labels(self, endpoint_id: str) -> list[str]:
        return [p.label for p in self.presets.for_endpoint(endpoint_id)]

    def preset_form(self, label: str) -> tuple[Endpoint, dict[str, Any]]:
        """A preset as the form values of its endpoint's tab."""
        preset = self.presets.get(label)
        endpoint = self.catalog[preset.endpoint_id]
        return endpoint, form_from_arguments(endpoint, preset.arguments, self.inputs.directory)

    @property
    def can_save_presets(self) -> bool:
        return not self.public.on  # saved presets would be shared with every visitor

    def save_preset(self, name: str, endpoint_id: str, form: dict[str, Any], description: str = "") -> Saved:
        """Save a tab's current form as a preset under the data directory: the preset, and the earlier one of that
        name it replaced (not on a public deployment: saved presets are shared by everyone who uses the app)."""
        if not self.can_save_presets:
            raise InputError([("preset", "saving presets is turned off on this public demo (they would be shared "
                                         "with every visitor); copy the request JSON instead")])
        endpoint = self.launcher.endpoint(endpoint_id)
        return self.presets.save(name, endpoint.endpoint_id, arguments_from_form(endpoint, form), description)

    def save_preset_view(self, name: str, endpoint_id: str, form: dict[str, Any], description: str) -> tuple[str, bool]:
        """What the save panel says (saved, replaced, or why nothing was saved), and whether a preset was written
        (then every built tab's preset list refreshes itself)."""
        try:
            return save_message(self.save_preset(name, endpoint_id, form, description), self.catalog), True
        except InputError as exc:
            return refusal_message(exc), False
