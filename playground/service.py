"""The playground's one facade: what every UI event and API call asks of the core.

Data flows one way: catalog → request (validated) → estimate → backend events → saved, probed
result → one row in the results log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playground import config
from playground.backends import Backend
from playground.backends.connections import FalConnections
from playground.backends.fal import FalBackend
from playground.backends.offline import OfflineBackend
from playground.catalog import Catalog, Endpoint, load_catalog
from playground.compare.runs import Comparisons
from playground.config import FalSettings, Limits, PublicMode
from playground.errors import InputError, PlaygroundError, RunError
from playground.estimate import Estimate, estimate, output_shape
from playground.events import Event
from playground.form import arguments_from_form, form_from_arguments, read_form
from playground.gallery import Gallery
from playground.guard import Guard, Ticket
from playground.inputs import Inputs
from playground.journal import Journal
from playground.keys import clean_key, fingerprint
from playground.present import FormView, RunView, RunWatcher, code_panes
from playground.presets import BUILT_IN_DIR, Presets
from playground.request import validate
from playground.results import ResultsLog
from playground.revisit import Revisits
from playground.runner import Flight, Runner, RunResult, Watch, now_iso
from playground.snippets import display_arguments, snippets
from playground.visitor import Visitor, client_address, network_id

__all__ = ["Playground", "Preview", "RunResult", "create_playground"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Preview:
    """What a tab shows beside Run while the user edits: estimate, problems, request JSON, snippets."""

    estimate: Estimate | None
    problems: list[str]
    request_json: str
    snippets: dict[str, str]


class Playground:
    """Catalog, backends, runs and the results log for one app instance.

    No per-visitor state lives here: a visitor's key arrives with each call (from their session state)
    and is only used for that call; ``server_key`` is the operator's own ``FAL_KEY``.
    """

    def __init__(self, catalog: Catalog, data_dir: Path, backend_choice: str = "auto",
                 offline: Backend | None = None, server_key: str | None = None,
                 fal_settings: FalSettings | None = None, limits: Limits | None = None,
                 presets_dir: Path = BUILT_IN_DIR, public: PublicMode | None = None):
        self.catalog = catalog
        self.data_dir = Path(data_dir)
        self.outputs_dir = self.data_dir / "outputs"
        self.results = ResultsLog(self.data_dir / "results.csv")
        self.journal = Journal(self.data_dir / "inflight")
        self.inputs = Inputs(self.data_dir / "inputs")
        self.backend_choice = backend_choice
        self.offline = offline or OfflineBackend()
        self.fal_settings = fal_settings or FalSettings()
        self.fal = FalConnections()
        self.limits = limits or Limits()
        self.runner = Runner(self.outputs_dir, self.results, self.journal, self.fal_settings, self.limits.max_runs,
                             self.inputs, self.unit_price)
        self.comparisons = Comparisons(self)
        self.revisits = Revisits(self)
        self.presets = Presets(catalog, presets_dir, saved=self.data_dir / "presets")
        self.gallery = Gallery(self)
        self._server_key = server_key or None
        self.public = public or PublicMode()
        self.guard = Guard(self.public, self.results)
        self._background: set[asyncio.Task] = set()

    # -- catalog, estimate, preview ---------------------------------------------------------------
    def unit_price(self, endpoint_id: str) -> float | None:
        """fal's price per billable unit of an endpoint, where the catalog knows it (``refresh --prices``)."""
        endpoint = self.catalog.get(endpoint_id)
        billing = endpoint.pricing.billing if endpoint else None
        return billing.usd_per_unit if billing else None

    def catalog_rows(self) -> list[dict[str, str]]:
        return [endpoint.summary() for endpoint in self.catalog.values()]

    def endpoint(self, endpoint_id: str) -> Endpoint:
        try:
            return self.catalog[(endpoint_id or "").strip()]
        except KeyError:
            raise InputError([("endpoint_id", f"unknown endpoint {endpoint_id!r}; see /catalog for the "
                                              f"{len(self.catalog)} known ids")])

    def estimate(self, endpoint_id: str, arguments: dict[str, Any]) -> dict[str, Any]:
        endpoint = self.endpoint(endpoint_id)
        return estimate(endpoint, validate(endpoint, self.inputs.to_data_uris(arguments))).as_dict()

    def snippets(self, endpoint_id: str, arguments: dict[str, Any]) -> dict[str, str]:
        """``/snippets``: the Python, JavaScript and cURL code a tab shows for these arguments (not validated: the
        tab shows code for a form that is not finished yet)."""
        code = code_panes(self.endpoint(endpoint_id).endpoint_id, self.inputs.to_data_uris(arguments))
        return {"python": code["Python"], "javascript": code["JavaScript"], "curl": code["cURL"]}

    def form_view(self, endpoint_id: str, form: dict[str, Any]) -> FormView:
        """What a tab shows beside Run for its form as it is now: every problem (the form's own, such as an upload
        that is not an image, and the request's), the estimate, the request and client code. Never raises."""
        endpoint = self.endpoint(endpoint_id)
        arguments, form_problems = read_form(endpoint, form, self.inputs.file_data_uri)
        preview = self.preview(endpoint_id, arguments)
        flagged = {name for name, _ in form_problems}
        problems = [f"{name}: {message}" for name, message in form_problems]
        problems += [p for p in preview.problems if p.split(":", 1)[0] not in flagged]  # not "is required" on top
        return FormView.of(preview.estimate, problems, code_panes(endpoint.endpoint_id, arguments))

    async def run_form(self, endpoint_id: str, form: dict[str, Any], visitor: Visitor) -> AsyncIterator[RunView]:
        """A tab's Run: what its run area shows, from "submitting…" to the result. A run that cannot start (bad
        input, a limit) says why in one place and sends nothing; a failed run shows its logged result."""
        watcher = RunWatcher()
        yield watcher.starting()
        try:
            endpoint = self.endpoint(endpoint_id)
            arguments = arguments_from_form(endpoint, form, self.inputs.file_data_uri)
            async for item in self.generate(endpoint_id, arguments, visitor):
                if isinstance(item, RunResult):
                    yield watcher.finished(self.for_visitor(item.as_dict()), item.video_path)
                else:
                    yield watcher.event(item)
        except PlaygroundError as exc:
            yield watcher.refused(exc)

    def preview(self, endpoint_id: str, arguments: dict[str, Any]) -> Preview:
        """Best effort while typing: the estimate even when the request is not valid yet."""
        endpoint = self.endpoint(endpoint_id)
        arguments = self.inputs.to_data_uris(arguments)
        try:
            validate(endpoint, arguments)
            problems: list[str] = []
        except InputError as exc:
            problems = [f"{field}: {message}" for field, message in exc.problems]
        try:
            cost = estimate(endpoint, arguments)
        except (KeyError, ValueError, TypeError):
            cost = None
        request_json = json.dumps(display_arguments(arguments), indent=2, ensure_ascii=False)
        return Preview(cost, problems, request_json, snippets(endpoint.endpoint_id, arguments))

    def for_visitor(self, value: Any) -> Any:
        """An answer as a visitor may receive it: on a public deployment, no server path (``video_path``, and an
        offline run's ``file://`` video URL, are blanked wherever they occur; the video reaches them as a file)."""
        if not self.public.on:
            return value
        if isinstance(value, dict):
            return {k: "" if k == "video_path" or (k == "video_url" and str(v).startswith("file:"))
                    else self.for_visitor(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.for_visitor(item) for item in value]
        return value

    def history(self, limit: int = 50, owner: str = "") -> list[dict[str, str]]:
        """The newest rows (in public mode, only ``owner``'s)."""
        frame = self.revisits.visible(owner)
        return frame.iloc[::-1].head(max(0, int(limit))).to_dict(orient="records")

    # -- presets ----------------------------------------------------------------------------------------
    def preset_form(self, label: str) -> tuple[Endpoint, dict[str, Any]]:
        """A preset as the form values of its endpoint's tab."""
        preset = self.presets.get(label)
        endpoint = self.catalog[preset.endpoint_id]
        return endpoint, form_from_arguments(endpoint, preset.arguments, self.inputs.directory)

    def save_preset(self, name: str, endpoint_id: str, form: dict[str, Any], description: str = "") -> str:
        """Save a tab's current form as a preset under the data directory; returns its label.

        Not on a public deployment: saved presets are shared by everyone who uses the app.
        """
        if self.public.on:
            raise InputError([("preset", "saving presets is turned off on this public demo (they would be shared "
                                         "with every visitor); copy the request JSON instead")])
        endpoint = self.endpoint(endpoint_id)
        return self.presets.save(name, endpoint.endpoint_id, arguments_from_form(endpoint, form), description).label

    # -- keys and backends -----------------------------------------------------------------------------
    def _key(self, session_key: str | None) -> str | None:
        """The key a run would be billed to: the session's own, else the server's (in public mode, only if shared)."""
        if session_key:
            return session_key
        return self._server_key if not self.public.on or self.public.share_server_key else None

    def visitor(self, key: str | None = None, session: str = "", peer: str = "", forwarded_for: str = "") -> Visitor:
        """The caller of one event: their own key (from their session state), their session, and the network id
        public-mode limits count them by (from the connection, or X-Forwarded-For behind trusted proxies)."""
        address = client_address(peer, forwarded_for, self.public.trusted_proxies)
        return Visitor(key or None, session or "", network_id(address) if address else "")

    def backend_for(self, session_key: str | None) -> Backend:
        """PLAYGROUND_BACKEND: ``offline`` always; ``fal`` always (a key is required); ``auto`` fal when a key is known."""
        key = self._key(session_key)
        if self.backend_choice == "offline" or (self.backend_choice == "auto" and not key):
            return self.offline
        if not key:
            raise RunError("PLAYGROUND_BACKEND=fal and no fal key is set: enter your key at the top of the page "
                           "(or the operator sets FAL_KEY)")
        return FalBackend(self.fal, key, self.fal_settings)

    def backend_status(self, session_key: str | None) -> str:
        """One line saying where this session's runs go and who pays (shown at the top of every page)."""
        if self.backend_choice == "offline":
            return ("**Backend: offline preview** (PLAYGROUND_BACKEND=offline): labelled synthetic clips at the "
                    "requested size, length and frame rate; not model output, no cost.")
        if session_key:
            return "**Backend: fal.ai**, billed to **your key** (held in this browser session only)."
        if self._key(None) and self.public.on:
            return (f"**Backend: fal.ai**, on **the demo's shared key**: up to ${self.public.session_cap_usd:.2f} per "
                    f"visitor and ${self.public.daily_cap_usd:.2f} a day in all. Enter your own key to go further.")
        if self._key(None):
            return "**Backend: fal.ai**, billed to **the server's key** (FAL_KEY). Enter your own key to use it instead."
        if self.backend_choice == "fal":
            return "**Backend: fal.ai** (PLAYGROUND_BACKEND=fal), but **no key yet**: enter yours to run."
        return ("**Backend: offline preview** — labelled synthetic clips at the requested size, length and frame "
                "rate; not model output, no cost. Enter your fal key to run on fal.ai.")

    def use_key(self, raw: str | None) -> str:
        """Check a visitor's key and return it for their session; runs of theirs still in the journal resume."""
        key = clean_key(raw)
        self._resume_pending({fingerprint(key): key})
        return key

    # -- running ------------------------------------------------------------------------------------
    def billed_to(self, session_key: str | None) -> str:
        """Who pays for a run of this session: "server", "visitor" or "" (offline)."""
        if not self.backend_for(session_key).paid:
            return ""
        return "visitor" if session_key else "server"

    def start_run(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
                  batch_id: str = "", ticket: Ticket | None = None) -> Watch:
        """Validate, estimate, admit and start a run (its own task); the Watch gives its events and outcome.

        Invalid input raises InputError, and a public-mode limit LimitError, before anything is sent or
        logged. Once started, the run always ends as exactly one row in the results log, whatever
        happens, even if nobody watches it to the end.
        """
        visitor = visitor or Visitor()
        key = visitor.key
        endpoint = self.endpoint(endpoint_id)
        cleaned = validate(endpoint, self.inputs.to_data_uris(arguments))
        cost = estimate(endpoint, cleaned)
        backend = self.backend_for(key)
        run_key = self._key(key) if backend.paid else None
        billed_to = self.billed_to(key)
        ticket = ticket or self.guard.admit(visitor.limited_as, cost.usd, billed_to == "server")
        row = {"run_id": uuid.uuid4().hex[:16], "batch_id": batch_id, "created_at": now_iso(), "backend": backend.name,
               "endpoint_id": endpoint.endpoint_id, "prompt": cleaned.get("prompt", ""),
               "arguments_json": json.dumps(cleaned, ensure_ascii=False), "seed": cleaned.get("seed"),
               "estimated_cost_usd": round(cost.usd, 6), "owner": visitor.owner, "billed_to": billed_to}
        flight = Flight.new(row, (key, self._server_key), fingerprint(run_key) if run_key else "",
                            output_shape(endpoint, cleaned).expected())
        flight.on_finish = ticket.release
        try:
            return self.runner.start(backend, endpoint, cleaned, flight)
        except BaseException:
            ticket.release()
            raise

    async def generate(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
                       batch_id: str = "") -> AsyncIterator[Event | RunResult]:
        """One run watched to its end: the backend's events, then the RunResult (a failure raises RunError
        after its row is written; leaving early cancels the run)."""
        async for item in self.start_run(endpoint_id, arguments, visitor, batch_id).events():
            yield item

    # -- in-flight runs from before a restart -------------------------------------------------------------
    def pending_runs(self) -> int:
        return len(self.journal.pending())

    def _resume_pending(self, keys: dict[str, str]) -> list[asyncio.Task]:
        """Start finishing the journaled runs one of ``keys`` can reach, and those never submitted (in the running
        loop, if any). Each is claimed first, so no run is finished twice, and each runs on its own: one bad
        entry cannot stop the others."""
        entries = self.runner.claim_pending(set(keys))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        tasks = []
        for entry in entries:
            job = self._finish_pending(entry, keys.get(entry["key_fingerprint"]))
            if loop is None:
                threading.Thread(target=asyncio.run, args=(job,), name=f"resume-{entry['run_id']}", daemon=True).start()
            else:
                task = loop.create_task(job)
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                tasks.append(task)
        return tasks

    async def _finish_pending(self, entry: dict[str, Any], key: str | None) -> RunResult | None:
        backend = FalBackend(self.fal, key, self.fal_settings) if key else None
        try:
            return await self.runner.finish_pending(entry, backend, (key, self._server_key))
        except Exception:
            log.exception("in-flight run %s could not be finished; its journal entry is kept", entry["run_id"])
            self.runner.journal.release(entry["run_id"])
            return None

    async def recover(self) -> list[RunResult]:
        """Finish every journaled run the server's key can reach (and log those never submitted); returns their
        results (for tests and logs)."""
        keys = {fingerprint(self._server_key): self._server_key} if self._server_key else {}
        results = await asyncio.gather(*self._resume_pending(keys))
        return [result for result in results if result is not None]

    def start_recovery(self) -> None:
        """At start-up: finish in the background whatever was in flight when the last process stopped."""
        pending = self.pending_runs()
        if pending:
            log.info("%d run(s) were in flight when the app last stopped; finishing them", pending)
            threading.Thread(target=asyncio.run, args=(self.recover(),), name="recover", daemon=True).start()


def create_playground(data_dir: Path | None = None) -> Playground:
    """The Playground as the environment configures it (PLAYGROUND_DATA_DIR, PLAYGROUND_BACKEND, FAL_KEY, …)."""
    catalog = load_catalog(config.catalog_dir()) if config.catalog_dir() else load_catalog()
    return Playground(catalog, data_dir or config.data_dir(), config.backend_choice(),
                      server_key=config.server_key(), fal_settings=config.fal_settings(), limits=config.limits(),
                      public=config.public_mode())
