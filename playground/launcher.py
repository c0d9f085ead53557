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
from playground.catalog import Catalog, Endpoint, Pricing
from playground.config import PublicMode
from playground.errors import InputError, RunError
from playground.estimate import Estimate, estimate, output_shape
from playground.events import Event
from playground.form import read_form
from playground.guard import Guard, Ticket
from playground.inputs import Inputs
from playground.keys import fingerprint
from playground.media import is_data_uri
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


def bare_endpoint(endpoint_id: str, label: str) -> Endpoint:
    """An endpoint the runner and backends can drive that is not a generator of the catalog (a judge): its id and
    name, no fields, no size table (nothing is rendered or probed for it)."""
    return Endpoint(endpoint_id, label, family="judge", tier="standard", mode="", fields=(),
                    pricing=Pricing(0.0, 24, "estimated", "the judge's own price"), sizes={})


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
        record = RunRecord(batch_id=batch_id, endpoint_id=endpoint.endpoint_id, prompt=cleaned.get("prompt", ""),
                           arguments_json=json.dumps(cleaned, ensure_ascii=False), seed=cleaned.get("seed"),
                           estimated_cost_usd=round(cost.usd, 6))
        return self._launch(endpoint, cleaned, record, output_shape(endpoint, cleaned).expected(), visitor, ticket)

    def start_judge(self, endpoint_id: str, label: str, body: dict[str, Any], usd: float, subject: str, prompt: str,
                    visitor: Visitor | None = None, ticket: Ticket | None = None) -> Watch:
        """A judge's call to fal, as a run like any other: admitted against the caps at its estimate ``usd`` (or
        already, by ``ticket``), journaled, cancellable, billed and logged as one row, whose ``judged`` column
        (``subject``) says what it judged and whose ``output_text`` keeps the answer. Backends that declare no judge
        (the offline preview) refuse it before anything is sent."""
        visitor = visitor or Visitor()
        backend = self.backend_for(visitor.key)
        declared = kind(backend.name)
        if declared is None or not declared.can_judge:
            if ticket is not None:
                ticket.release()
            name = declared.title if declared else backend.name
            raise InputError([("judge", f"the {name} has no judge: a judge is a vision model on fal, and its "
                                        "verdicts would be made up here. Enter a fal key at the top of the page to "
                                        "judge rows (signals need no key)")])
        shown = {name: "(the saved clip, uploaded)" if isinstance(value, str) and is_data_uri(value) else value
                 for name, value in body.items()}
        record = RunRecord(endpoint_id=endpoint_id, prompt=prompt, arguments_json=json.dumps(shown, ensure_ascii=False),
                           estimated_cost_usd=round(usd, 6), judged=subject)
        return self._launch(bare_endpoint(endpoint_id, label), body, record, {}, visitor, ticket)

    def _launch(self, endpoint: Endpoint, cleaned: dict[str, Any], record: RunRecord, expected: dict[str, Any],
                visitor: Visitor, ticket: Ticket | None) -> Watch:
        """Admit ``record``'s estimate, fill in who runs and pays for it, and hand it to the runner."""
        backend = self.backend_for(visitor.key)
        run_key = self.key_for(visitor.key) if backend.paid else None
        billed_to = self.billed_to(visitor.key)
        ticket = ticket or self.guard.admit(visitor.limited_as, record.estimated_cost_usd, billed_to == "server")
        record.run_id, record.created_at, record.backend = uuid.uuid4().hex[:16], now_iso(), backend.name
        record.owner, record.billed_to = visitor.owner, billed_to
        flight = Flight(record, self.secrets(visitor.key), fingerprint(run_key) if run_key else "", expected,
                        on_finish=ticket.release)
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
