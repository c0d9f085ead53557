"""Starting runs: validate → estimate → admit → choose the backend → hand the run to the runner.

Built first, and handed to everything else that starts runs (the facade, Comparisons, Revisits) so that every
run — a tab's, a comparison cell's, a re-run from History — goes through the same checks and ends as one row.
A visitor's key arrives with each call and is used for that call only. Which backends there are is not decided
here: the launcher is given the route (``backends.registry.Route``), a key → backend function for runs with a key
and the backend for runs without one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from playground.backends import Backend, BackendForKey
from playground.backends.registry import Route, kind, refetchable
from playground.catalog import Catalog, Endpoint
from playground.config import PublicMode
from playground.errors import InputError, RunError
from playground.estimate import Estimate, estimate, output_shape
from playground.events import Event
from playground.form import read_form
from playground.guard import Guard, Ticket
from playground.inputs import Inputs
from playground.keys import fingerprint
from playground.record import RunRecord, now_iso
from playground.request import validate
from playground.runner import Flight, Runner, Watch
from playground.visitor import Visitor


@dataclass(frozen=True)
class Draft:
    """A form not sent yet: what it would send, what stops it, and what it would cost."""

    endpoint: Endpoint
    arguments: dict[str, Any]
    problems: list[str]
    cost: Estimate | None


class Launcher:
    """Which backend and key a run uses, and the one way a run starts."""

    def __init__(self, catalog: Catalog, inputs: Inputs, runner: Runner, guard: Guard, route: Route,
                 for_key: BackendForKey | None, offline: Backend | None, server_key: str | None = None,
                 public: PublicMode | None = None):
        """``for_key`` builds the backend of ``route.keyed`` for a key; ``offline`` is ``route.keyless``'s."""
        self.catalog, self.inputs, self.runner, self.guard = catalog, inputs, runner, guard
        self.route, self.for_key, self.offline = route, for_key, offline
        self.public = public or PublicMode()
        self._server_key = server_key or None

    # -- what a request is and costs ------------------------------------------------------------------------
    def endpoint(self, endpoint_id: str) -> Endpoint:
        try:
            return self.catalog[(endpoint_id or "").strip()]
        except KeyError:
            raise InputError([("endpoint_id", f"unknown endpoint {endpoint_id!r}; see /catalog for the "
                                              f"{len(self.catalog)} known ids")]) from None

    def price(self, endpoint_id: str, arguments: dict[str, Any]) -> tuple[Endpoint, dict[str, Any], Estimate]:
        """The endpoint, the arguments as a run would send them (validated; kept files inlined) and their estimate."""
        endpoint = self.endpoint(endpoint_id)
        cleaned = validate(endpoint, self.inputs.to_data_uris(arguments))
        return endpoint, cleaned, estimate(endpoint, cleaned)

    def draft(self, endpoint_id: str, form: dict[str, Any]) -> Draft:
        """A tab's form as it is now, never raising: the arguments it stands for, every problem (the form's own, such
        as an upload that is not an image, then the request's), and the estimate when one can be made."""
        endpoint = self.endpoint(endpoint_id)
        arguments, form_problems = read_form(endpoint, form, self.inputs.file_data_uri)
        flagged = {name for name, _ in form_problems}
        problems = [f"{name}: {message}" for name, message in form_problems]
        arguments = self.inputs.to_data_uris(arguments)
        try:
            validate(endpoint, arguments)
        except InputError as exc:  # not "is required" on top of the form's own problem with that field
            problems += [f"{name}: {message}" for name, message in exc.problems if name not in flagged]
        try:
            cost: Estimate | None = estimate(endpoint, arguments)
        except (KeyError, ValueError, TypeError):
            cost = None
        return Draft(endpoint, arguments, problems, cost)

    # -- keys and backends -------------------------------------------------------------------------------------
    def key_for(self, session_key: str | None) -> str | None:
        """The key a run would be billed to: the session's own, else the server's (in public mode, only if shared)."""
        if session_key:
            return session_key
        return self._server_key if not self.public.on or self.public.share_server_key else None

    def secrets(self, session_key: str | None) -> tuple[str | None, ...]:
        """Every key a message about this session's runs could contain (scrubbed before it is shown or written)."""
        return session_key, self._server_key

    def backend_for(self, session_key: str | None) -> Backend:
        """The route's keyed backend when a key is known (PLAYGROUND_BACKEND=auto or fal), else its keyless one
        (auto or offline); RunError when the route needs a key and none is known (fal)."""
        key = self.key_for(session_key)
        if key and self.for_key:
            return self.for_key(key)
        if self.offline:
            return self.offline
        needed = self.route.keyed.name if self.route.keyed else "backend"
        raise RunError(f"PLAYGROUND_BACKEND={self.route.choice} and no {needed} key is set: enter your key at the top "
                       "of the page (or the operator sets FAL_KEY)")

    def billed_to(self, session_key: str | None) -> str:
        """Who pays for a run of this session: "server", "visitor" or "" (offline)."""
        if not self.backend_for(session_key).paid:
            return ""
        return "visitor" if session_key else "server"

    # -- running -------------------------------------------------------------------------------------------
    def start(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
              batch_id: str = "", ticket: Ticket | None = None) -> Watch:
        """Validate, estimate, admit and start a run (its own task); the Watch gives its events and outcome.

        Invalid input raises InputError, and a public-mode limit LimitError, before anything is sent or
        logged. Once started, the run always ends as exactly one row in the results log, whatever
        happens, even if nobody watches it to the end.
        """
        visitor = visitor or Visitor()
        endpoint, cleaned, cost = self.price(endpoint_id, arguments)
        backend = self.backend_for(visitor.key)
        run_key = self.key_for(visitor.key) if backend.paid else None
        billed_to = self.billed_to(visitor.key)
        ticket = ticket or self.guard.admit(visitor.limited_as, cost.usd, billed_to == "server")
        record = RunRecord(run_id=uuid.uuid4().hex[:16], batch_id=batch_id, created_at=now_iso(), backend=backend.name,
                           endpoint_id=endpoint.endpoint_id, prompt=cleaned.get("prompt", ""),
                           arguments_json=json.dumps(cleaned, ensure_ascii=False), seed=cleaned.get("seed"),
                           estimated_cost_usd=round(cost.usd, 6), owner=visitor.owner, billed_to=billed_to)
        flight = Flight(record, self.secrets(visitor.key), fingerprint(run_key) if run_key else "",
                        output_shape(endpoint, cleaned).expected(), on_finish=ticket.release)
        try:
            return self.runner.start(backend, endpoint, cleaned, flight)
        except BaseException:
            ticket.release()
            raise

    async def generate(self, endpoint_id: str, arguments: dict[str, Any], visitor: Visitor | None = None,
                       batch_id: str = "") -> AsyncIterator[Event | RunRecord]:
        """One run watched to its end: the backend's events, then its RunRecord (a failure raises RunError after
        its row is written; leaving early cancels the run)."""
        async for item in self.start(endpoint_id, arguments, visitor, batch_id).events():
            yield item

    async def fetch_again(self, logged: RunRecord, visitor: Visitor, expected: dict[str, Any]) -> RunRecord:
        """A logged run's result fetched and saved again by its request id (no new run, no new charge), where its
        backend declares it can be and this session's runs go to that backend; its output is checked against
        ``expected`` (the size, frame rate and frames its request implies)."""
        made_by = kind(logged.backend)
        if made_by is None or not made_by.can_refetch or not logged.request_id:
            raise InputError([("run", f"only {refetchable()} runs with a request id can be fetched again")])
        backend = self.backend_for(visitor.key)
        if backend.name != made_by.name:
            needs = (f"a {made_by.name} key (yours or the server's)" if made_by.needs_key
                     else f"PLAYGROUND_BACKEND={made_by.name}")
            raise InputError([("fal_key", f"fetching from {made_by.name} needs {needs}")])
        return await self.runner.outputs.collect(backend, logged, expected, (visitor.key, self.key_for(visitor.key)))
