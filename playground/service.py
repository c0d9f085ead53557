"""The facade the UI calls (the UI imports only this, ``views`` for the types and parts it is handed, and
``errors``): ``Playground`` builds the core's parts in order, then the parts of the facade, one per area of the
page, each handed to the UI builder of that area.

A facade part's methods take plain values (a form, a JSON text, the caller's Visitor) and return what is shown:
a view built in a present module, never text for the UI to parse. Data flows one way: catalog → request
(validated) → estimate → launcher (admitted, backend chosen) → runner (events) → saved, probed result → one row
in the log.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from functools import cache, partial
from pathlib import Path
from typing import Any

from playground import config
from playground.api import NamedApi
from playground.backends import Backend, registry
from playground.backends.registry import Built, Route
from playground.catalog import Catalog, load_catalog
from playground.compare.comparisons import Comparisons
from playground.compare_facade import CompareCalls
from playground.config import FalSettings, Limits, PublicMode
from playground.datadir import check_writable, ephemeral_warning
from playground.events import Event
from playground.gallery import Gallery
from playground.guard import Guard
from playground.history_facade import HistoryCalls
from playground.inputs import Inputs
from playground.judging.judges import Judges, load_judges
from playground.launcher import Launcher
from playground.offload import Offload
from playground.outputs import Outputs, measured_in
from playground.presets import BUILT_IN_DIR, Presets
from playground.record import RunRecord
from playground.recovery import Recovery
from playground.revisit import Revisits
from playground.runner import Runner
from playground.session_facade import SessionCalls
from playground.store.open import open_store
from playground.store.parts import Store
from playground.suites import BUILT_IN_DIR as SUITES_DIR
from playground.suites import Suites
from playground.tabs_facade import EndpointTabCalls
from playground.visitor import Visitor

__all__ = ["Playground", "create_playground"]

log = logging.getLogger(__name__)


class Playground:
    """One app instance: the core's parts, built in order and each given only what it uses, and the facade's parts
    (``sessions``, ``tabs``, ``compare``, ``history``, ``gallery``, ``api``), each handed to the UI builder of its
    area of the page.

    No per-visitor state lives here: a visitor's key arrives with each call (from their session state) and is
    only used for that call; ``server_key`` is the operator's own ``FAL_KEY``.
    """

    def __init__(self, catalog: Catalog, data_dir: Path | str, backend_choice: str = "auto",
                 offline: Backend | None = None, server_key: str | None = None,
                 fal_settings: FalSettings | None = None, limits: Limits | None = None,
                 presets_dir: Path = BUILT_IN_DIR, public: PublicMode | None = None, store: Store | None = None,
                 judges: Callable[[], Judges] = load_judges, offload: Offload | None = None,
                 suites_dir: Path = SUITES_DIR):
        """``offload``: where clips are measured (a worker process); without one, on a thread of this process;
        ``suites_dir``: the prompt suites (``suites/``), checked against the catalog here, at start-up."""
        self.catalog, self.data_dir = catalog, Path(data_dir)
        self.limits, self.public = limits or Limits(), public or PublicMode()
        settings = fal_settings or FalSettings()
        self.store = store or open_store(self.data_dir)  # records: files under data_dir, or the database
        self.results, self.journal = self.store.runs, self.store.journal
        self.inputs = Inputs(self.data_dir / "inputs")
        self.presets = Presets(catalog, presets_dir, saved=self.store.presets)
        self.suites = Suites(catalog, suites_dir)
        self.guard = Guard(self.public, self.results, admissions=self.store.admissions)
        judges = cache(judges)  # the judges' data, read once when first needed
        outputs = Outputs(self.data_dir / "outputs", settings,
                          lambda endpoint_id: catalog.unit_price(endpoint_id) if endpoint_id in catalog
                          else judges().unit_price(endpoint_id), measured_in(offload) if offload else None)
        self.runner = Runner(outputs, self.results, self.journal, settings, self.limits.max_runs, self.inputs)
        route, built = Route.of(backend_choice), Built(settings, given=offline)  # `offline`: tests' quicker one
        keyed = built.for_key(route.keyed.name) if route.keyed else None  # a key → the backend billed to it
        keyless = built.backend(route.keyless.name, "") if route.keyless else None
        self.launcher = Launcher(catalog, self.inputs, self.runner, self.guard, route, keyed, keyless, server_key,
                                 self.public)
        self.recovery = Recovery(self.journal, self.results, self.runner, built.backend, server_key,
                                 sweep_s=self.store.sweep_s)
        self.comparisons = Comparisons(self.launcher, self.presets, self.limits, self.store.votes, self.store.batches,
                                       judges, self.suites)
        self.revisits = Revisits(self.launcher, self.results, self.store.seed_checks,
                                 self.data_dir / "exports", own_rows_only=self.public.on)
        # the facade's parts
        self.sessions = SessionCalls(self.launcher, self.recovery, self.public)
        shown = self.sessions.for_visitor
        self.tabs = EndpointTabCalls(self.launcher, self.presets, self.public, shown)
        self.compare = CompareCalls(self.comparisons, self.revisits)
        # a decision filtered to a prompt suite or tag: the batches and prompts they cover, and the choices
        self.compare.suite_scope, self.compare.suite_choices = self.comparisons.suite_runs.scope, self.suites.choices
        self.history = HistoryCalls(self.revisits, shown)
        self.gallery = Gallery(catalog, self.data_dir / "gallery")
        self.api = NamedApi(self.launcher, self.comparisons, self.revisits, shown)
        self.api.suite_scope = self.comparisons.suite_runs.scope  # `/decide`'s suite and tag

    # -- the app as a whole ----------------------------------------------------------------------------------
    def generate(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
                 batch_id: str = "") -> AsyncIterator[Event | RunRecord]:
        """One run watched to its end (see ``Launcher.generate``): how scripts and tests run the core."""
        return self.launcher.generate(endpoint_id, arguments, visitor, batch_id)

    async def recover(self) -> list[RunRecord]:
        """Finish what the last process left in flight (see ``Recovery.recover``)."""
        return await self.recovery.recover()

    def start_recovery(self) -> None:
        """At start-up, in the background: finish what the last process left in flight."""
        self.recovery.start()


def create_playground(data_dir: Path | None = None) -> Playground:
    """The Playground as the environment configures it (PLAYGROUND_DATA_DIR, PLAYGROUND_DATABASE_URL,
    PLAYGROUND_BACKEND, FAL_KEY, …)."""
    catalog_dir = config.catalog_dir()
    data_dir = data_dir or config.data_dir()
    check_writable(data_dir)  # refuse to start rather than lose a paid result later
    if warning := ephemeral_warning(data_dir, config.on_spaces()):
        log.warning(warning)
    store = open_store(data_dir, config.database_url(), config.journal_lease_s())
    return Playground(load_catalog(catalog_dir) if catalog_dir else load_catalog(), data_dir,
                      config.backend_choice(registry.names()), server_key=config.server_key(),
                      fal_settings=config.fal_settings(), limits=config.limits(), public=config.public_mode(),
                      store=store, judges=partial(load_judges, instructions=config.judge_instructions()),
                      offload=Offload())
