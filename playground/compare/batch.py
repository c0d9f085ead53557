"""A comparison while it runs: one state per cell, filled from its run's events, seen as a frozen ``BatchSnapshot``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from playground.compare.cells import BatchCell, CellStatus, Origin, served_warning
from playground.compare.extend import Arrangement
from playground.compare.grid import clip_key
from playground.compare.plan import Cell, Plan
from playground.compare.snapshot import BatchSnapshot
from playground.events import Completed, Event, InProgress, Queued, Submitted
from playground.record import RunRecord, Status
from playground.runner import Watch


@dataclass
class CellState:
    """Where one cell is: waiting → submitted → queued → running → saving → how its run ended (a final status);
    cancelling from the moment a cancel is asked until the backend says how the run ended."""

    cell: Cell
    status: CellStatus = CellStatus.WAITING
    position: int | None = None
    logs: list[str] = field(default_factory=list)
    result: RunRecord | None = None
    error: str = ""
    watch: Watch | None = None
    cancel_requested: bool = False
    origin: Origin = Origin.NEW  # kept (the extended batch already had it) or reused (a run of the log): not run now

    def apply(self, event: Event | RunRecord) -> None:
        if self.cancel_requested and not isinstance(event, RunRecord):
            self.logs = (self.logs + list(getattr(event, "logs", ())))[-50:]
            return  # it stays cancelling until it ends
        if isinstance(event, Submitted):
            self.status = CellStatus.SUBMITTED
        elif isinstance(event, Queued):
            self.status, self.position = CellStatus.QUEUED, event.position
        elif isinstance(event, InProgress):
            self.status, self.position = CellStatus.RUNNING, None
            self.logs = (self.logs + list(event.logs))[-50:]
        elif isinstance(event, Completed):
            self.status = CellStatus.SAVING
            self.logs = (self.logs + list(event.logs))[-50:]
        elif isinstance(event, RunRecord):
            self.finish(event)

    def finish(self, result: RunRecord | None, status: Status = Status.FAILED, error: str = "") -> None:
        self.result = result
        self.status = CellStatus.ended(result.status if result else status)
        self.error = result.error if result else error
        self.position = None

    def as_cell(self, batch_id: str, backend: str) -> BatchCell:
        """This cell as it stands: its run (blank but for endpoint, seed and estimate until it has one) in its
        place in the grid."""
        c = self.cell
        run = self.result or RunRecord(batch_id=batch_id, backend=backend, endpoint_id=c.endpoint.endpoint_id,
                                       seed=c.seed, estimated_cost_usd=c.estimate.usd)
        reused = self.result if self.origin is Origin.REUSED else None
        return BatchCell(c.index, c.row_key, c.row_label, c.prompt_index, c.prompt, c.endpoint.short_label, run,
                         self.status, self.error or run.error, self.position, self.logs[-1] if self.logs else "",
                         self.origin, reused.run_id if reused else "",
                         reused.created_at[:10] if reused and reused.run_id else "")


@dataclass
class Batch:
    """All cells of one comparison run, and the plan they came from."""

    batch_id: str
    plan: Plan
    backend: str
    paid: bool
    cells: list[CellState]
    changed: Callable[[], None] = lambda: None  # tells whoever shows the batch that it changed

    @classmethod
    def start(cls, batch_id: str, arranged: Arrangement, backend: str, paid: bool) -> Batch:
        """Cells kept from the batch extended, or reused from the log, start finished; the others wait to run."""
        cells = [CellState(cell) for cell in arranged.plan.cells]
        for state in cells:
            for origin, runs in ((Origin.KEPT, arranged.kept), (Origin.REUSED, arranged.reused)):
                if state.cell.index in runs:
                    state.finish(runs[state.cell.index])
                    state.origin = origin
        return cls(batch_id, arranged.plan, backend, paid, cells)

    def cancel(self, keys: set[str] | None = None) -> tuple[int, int]:
        """Stop some cells (all when ``keys``, from ``clip_key``, is None): (started cells told to stop, each still
        ending as a row; cells that had not started, which now never will). Both show at once: started cells as
        cancelling until the backend answers, waiting ones as cancelled."""
        started = waiting = 0
        for state in self.cells:
            if (keys is None or clip_key(self.batch_id, state.cell.index) in keys) and not state.status.final:
                state.cancel_requested = True
                if state.watch:
                    state.watch.cancel()
                    state.status, state.position = CellStatus.CANCELLING, None
                    started += 1
                else:
                    state.finish(None, Status.CANCELLED, "cancelled before it started")
                    waiting += 1
        if started or waiting:
            self.changed()
        return started, waiting

    @property
    def done(self) -> bool:
        return all(state.status.final for state in self.cells)

    def snapshot(self) -> BatchSnapshot:
        """The batch as it stands now (``as_dict``: the `/compare` answer), with who served each cell in its
        fairness row and a warning for each cell fal served with another endpoint."""
        cells = tuple(state.as_cell(self.batch_id, self.backend) for state in self.cells)
        fairness = tuple(replace(planned.fairness(), served_by=cell.served_by)
                         for planned, cell in zip(self.plan.cells, cells, strict=True))
        return BatchSnapshot(self.batch_id, self.backend, self.paid, self.done, cells, fairness, self.plan.total_usd,
                             (*self.plan.warnings, *(served_warning(c) for c in cells if c.served_by)),
                             self.plan.notes)
