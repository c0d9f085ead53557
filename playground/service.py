"""The facade the UI calls: one method per page event and named-API call (the UI imports only this,
``views`` for the types these methods return, and ``errors``).

Each method takes plain values (a form, a JSON text, the caller's Visitor) and returns what is shown: a view
built in a present module, never text for the UI to parse. Data flows one way: catalog → request (validated) →
estimate → launcher (admitted, backend chosen) → runner (events) → saved, probed result → one row in the log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from playground import config
from playground.api import NamedApi
from playground.backend_present import backend_line, cancel_line
from playground.backends import Backend, registry
from playground.backends.registry import Built, Route
from playground.catalog import Catalog, Endpoint, load_catalog
from playground.compare.comparisons import Comparisons
from playground.compare.store import BatchStore
from playground.compare_facade import CompareFacade, FileUrl
from playground.config import FalSettings, Limits, PublicMode
from playground.datadir import check_writable
from playground.errors import InputError, PlaygroundError, RunError
from playground.events import Event
from playground.form import arguments_from_form, form_from_arguments
from playground.gallery import Gallery
from playground.guard import Guard
from playground.history import Filters
from playground.history_present import ActionView, PromotionPlan, RunPick, follow
from playground.inputs import Inputs
from playground.journal import Journal
from playground.keys import clean_key, fingerprint
from playground.launcher import Launcher
from playground.outputs import Outputs
from playground.present import (
    FormLayout,
    FormView,
    KeyChange,
    RunView,
    RunWatcher,
    code_panes,
    endpoint_title,
    form_layout,
)
from playground.presets import BUILT_IN_DIR, Presets, Saved, refusal_message, save_message
from playground.record import RunRecord
from playground.recovery import Recovery
from playground.results import ResultsLog
from playground.revisit import Revisits, SeedChecksLog
from playground.runner import Runner
from playground.visitor import Visitor, without_paths
from playground.votes import VotesLog

__all__ = ["Playground", "create_playground"]
T = TypeVar("T")


class Playground(CompareFacade):
    """One app instance: its parts, built in order and each given only what it uses, and the page's calls.

    No per-visitor state lives here: a visitor's key arrives with each call (from their session state) and is
    only used for that call; ``server_key`` is the operator's own ``FAL_KEY``.
    """

    def __init__(self, catalog: Catalog, data_dir: Path | str, backend_choice: str = "auto",
                 offline: Backend | None = None, server_key: str | None = None,
                 fal_settings: FalSettings | None = None, limits: Limits | None = None,
                 presets_dir: Path = BUILT_IN_DIR, public: PublicMode | None = None):
        self.catalog, self.data_dir = catalog, Path(data_dir)
        self.limits, self.public = limits or Limits(), public or PublicMode()
        settings = fal_settings or FalSettings()
        self.results = ResultsLog(self.data_dir / "results.csv")
        self.journal = Journal(self.data_dir / "inflight")
        self.inputs = Inputs(self.data_dir / "inputs")
        self.presets = Presets(catalog, presets_dir, saved=self.data_dir / "presets")
        self.guard = Guard(self.public, self.results)
        outputs = Outputs(self.data_dir / "outputs", settings, catalog.unit_price)
        self.runner = Runner(outputs, self.results, self.journal, settings, self.limits.max_runs, self.inputs)
        route, built = Route.of(backend_choice), Built(settings, given=offline)  # `offline`: tests' quicker one
        keyed = built.for_key(route.keyed.name) if route.keyed else None  # a key → the backend billed to it
        keyless = built.backend(route.keyless.name, "") if route.keyless else None
        self.launcher = Launcher(catalog, self.inputs, self.runner, self.guard, route, keyed, keyless, server_key,
                                 self.public)
        self.recovery = Recovery(self.journal, self.results, self.runner, built.backend, server_key)
        self.comparisons = Comparisons(self.launcher, self.presets, self.limits, VotesLog(self.data_dir / "votes.csv"),
                                       BatchStore(self.data_dir / "batches"))
        self.revisits = Revisits(self.launcher, self.results, SeedChecksLog(self.data_dir / "seed_checks.csv"),
                                 self.data_dir / "exports", own_rows_only=self.public.on)
        self.gallery = Gallery(catalog, self.data_dir / "gallery")
        self.api = NamedApi(self.launcher, self.comparisons, self.revisits, self.for_visitor)

    # -- runs as the core starts them ----------------------------------------------------------------------
    def generate(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
                 batch_id: str = "") -> AsyncIterator[Event | RunRecord]:
        """One run watched to its end (see ``Launcher.generate``)."""
        return self.launcher.generate(endpoint_id, arguments, visitor, batch_id)

    async def recover(self) -> list[RunRecord]:
        """Finish what the last process left in flight (see ``Recovery.recover``)."""
        return await self.recovery.recover()

    def start_recovery(self) -> None:
        """At start-up, in the background: finish what the last process left in flight."""
        self.recovery.start()

    # -- the page as built ---------------------------------------------------------------------------------
    def families(self) -> dict[str, list[Endpoint]]:
        return self.catalog.families()

    def endpoint_choices(self) -> list[tuple[str, str]]:
        return [(e.label, e.endpoint_id) for e in self.catalog.values()]

    def tab_title(self, endpoint: Endpoint) -> str:
        return endpoint_title(endpoint.label, endpoint.endpoint_id, endpoint.retired, endpoint.notes)

    def form_layout(self, endpoint_id: str) -> FormLayout:
        return form_layout(self.launcher.endpoint(endpoint_id))

    def compare_layouts(self) -> dict[str, FormLayout]:
        """Per mode, the Compare tab's shared settings (every field any endpoint of that mode has)."""
        return {mode: form_layout(union) for mode, union in self.comparisons.forms.items()}

    def preset_problems(self) -> list[str]:
        """Preset files that could not be loaded, each with its file and key (the page lists them)."""
        return self.presets.problems

    def preset_labels(self, endpoint_id: str) -> list[str]:
        return [p.label for p in self.presets.for_endpoint(endpoint_id)]

    @property
    def asks_for_key(self) -> bool:
        return self.launcher.route.keyed is not None  # PLAYGROUND_BACKEND=auto or a backend that needs a key

    def backend_names(self) -> list[str]:
        """The backends a run's row can name (History's filter)."""
        return registry.names()

    def leaderboard_filters(self) -> tuple[list[str], str]:
        """The Leaderboard's backend filter: its choices (each backend, then "all") and the one it opens on."""
        return [*registry.names(), registry.ALL], registry.judged_first()

    @property
    def can_save_presets(self) -> bool:
        return not self.public.on  # saved presets would be shared with every visitor

    def gallery_examples(self) -> list[dict[str, Any]]:
        return self.gallery.examples

    # -- who is calling -----------------------------------------------------------------------------------------
    def visitor(self, key: str | None = None, session: str = "", peer: str = "", forwarded_for: str = "") -> Visitor:
        """The caller of one event (see ``Visitor.of``)."""
        return Visitor.of(key, session, peer, forwarded_for, self.public.trusted_proxies)

    def backend_status(self, session_key: str | None) -> str:
        """One line saying where this session's runs go and who pays (shown at the top of every page)."""
        launcher = self.launcher
        return backend_line(launcher.route, bool(session_key), launcher.key_for(None) is not None, self.public)

    def cancel_note(self, session_key: str | None) -> str:
        """What a tab's Cancel does for this session's runs: stop a render here, or send a cancel to fal.ai."""
        try:
            backend = registry.kind(self.launcher.backend_for(session_key).name)
        except RunError:  # PLAYGROUND_BACKEND=fal without a key: no run can start
            backend = None
        return cancel_line(backend, self.launcher.route)

    def use_key(self, raw: str | None) -> str:
        """Check a visitor's key and return it for their session; runs of theirs still in the journal resume."""
        key = clean_key(raw)
        self.recovery.resume({fingerprint(key): key})
        return key

    def enter_key(self, raw: str | None) -> KeyChange:
        key = self.use_key(raw)
        return KeyChange(key, self.backend_status(key))

    def for_visitor(self, value: T) -> T:
        """An answer as a visitor may receive it (on a public deployment, without server paths)."""
        return without_paths(value) if self.public.on else value

    # -- an endpoint's tab ----------------------------------------------------------------------------------
    def form_view(self, endpoint_id: str, form: dict[str, Any]) -> FormView:
        """What a tab shows beside Run for its form as it is now: every problem, the estimate, the request and client
        code. Never raises."""
        draft = self.launcher.draft(endpoint_id, form)
        return FormView.of(draft.cost, draft.problems, code_panes(draft.endpoint.endpoint_id, draft.arguments))

    async def run_form(self, endpoint_id: str, form: dict[str, Any], visitor: Visitor) -> AsyncIterator[RunView]:
        """A tab's Run: what its run area shows, from "submitting…" to the result. A run that cannot start (bad
        input, a limit) says why once, where its result would be, and sends nothing."""
        watcher = RunWatcher(self.for_visitor)
        yield watcher.starting()
        try:
            arguments = arguments_from_form(self.launcher.endpoint(endpoint_id), form, self.inputs.file_data_uri)
            async for item in self.launcher.generate(endpoint_id, arguments, visitor):
                yield watcher.finished(item.as_dict(), item.video_path) if isinstance(item, RunRecord) \
                    else watcher.event(item)
        except PlaygroundError as exc:
            yield watcher.refused(exc)

    def preset_form(self, label: str) -> tuple[Endpoint, dict[str, Any]]:
        """A preset as the form values of its endpoint's tab."""
        preset = self.presets.get(label)
        endpoint = self.catalog[preset.endpoint_id]
        return endpoint, form_from_arguments(endpoint, preset.arguments, self.inputs.directory)

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

    # -- Examples (Compare and Leaderboard: ``CompareFacade``) ----------------------------------------------------
    async def gallery_grids(self, file_url: FileUrl) -> list[str]:
        return await self.gallery.grids(file_url)

    # -- History ------------------------------------------------------------------------------------------------
    def history_page(self, filters: Filters, number: int | float | None,
                     visitor: Visitor) -> tuple[list[list[Any]], int, str, list[str]]:
        """(table rows, page number, "page 1 of 3 · 60 run(s)", their run ids) of the runs this visitor may see."""
        return self.revisits.page_view(filters, int(number or 1), visitor.owner)

    def history_export(self, filters: Filters, fmt: str, visitor: Visitor) -> Path:
        return self.revisits.export(filters, fmt, visitor.owner)

    def pick(self, run_id: str, visitor: Visitor) -> RunPick:
        return self.revisits.pick(run_id, visitor)

    def restore(self, run_id: str, visitor: Visitor) -> tuple[Endpoint, dict[str, Any]]:
        """The endpoint and form values that put a run back into its tab (a random seed fixed to the one it got)."""
        return self.revisits.restore(run_id, visitor.owner)

    def promotion_plan(self, run_id: str, target_id: str, resolution: str, duration: str,
                       visitor: Visitor) -> PromotionPlan:
        return self.revisits.promotion_plan(run_id, target_id, resolution, duration, visitor.owner)

    async def rerun(self, run_id: str, visitor: Visitor) -> AsyncIterator[ActionView]:
        async for view in follow(self.revisits.rerun(run_id, visitor), "Run again", self.for_visitor):
            yield view

    async def seed_check(self, run_id: str, visitor: Visitor) -> AsyncIterator[ActionView]:
        async for view in follow(self.revisits.seed_check(run_id, visitor), "Seed check", self.for_visitor):
            yield view

    async def promote(self, run_id: str, target_id: str, resolution: str, duration: str,
                      visitor: Visitor) -> AsyncIterator[ActionView]:
        chosen = {"resolution": resolution, "duration": duration}
        async for view in follow(self.revisits.promote(run_id, target_id, chosen, visitor), "Promoted", self.for_visitor):
            yield view

    async def refetch(self, run_id: str, visitor: Visitor) -> RunPick:
        """Fetch a fal run's result again, then show the run as it is now."""
        await self.revisits.refetch(run_id, visitor)
        return self.revisits.pick(run_id, visitor)


def create_playground(data_dir: Path | None = None) -> Playground:
    """The Playground as the environment configures it (PLAYGROUND_DATA_DIR, PLAYGROUND_BACKEND, FAL_KEY, …)."""
    catalog_dir = config.catalog_dir()
    data_dir = data_dir or config.data_dir()
    check_writable(data_dir)  # refuse to start rather than lose a paid result later
    return Playground(load_catalog(catalog_dir) if catalog_dir else load_catalog(), data_dir,
                      config.backend_choice(registry.names()), server_key=config.server_key(),
                      fal_settings=config.fal_settings(), limits=config.limits(), public=config.public_mode())
