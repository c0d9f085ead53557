"""Asking a model judge on fal about a row of a comparison: what it would cost, then its calls, each a run.

The judge sees the row's finished clips numbered 1..N in the row's blind order (fixed per batch and row, so no
endpoint always comes first) and never their endpoints. Each clip goes to fal by its fal URL while that still
answers, else uploaded from the local copy. The row is priced before and admitted against the caps once, at its
whole estimate (so a cap never stops it half way); then each call starts through ``Launcher.start_judge``:
journaled, cancellable, billed and logged like a generation, and on its own task, so a judge that fails or hangs
never touches the generation cells or their rows. What the judge said is read back from
those rows (``verdicts``).
"""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from playground.backends.registry import kind
from playground.compare.cells import BatchCell, CellStatus
from playground.compare.grid import blind_order
from playground.compare.snapshot import BatchSnapshot
from playground.compare.verdicts import WHOLE_ROW, RowJudgement, Subject, judgements
from playground.errors import InputError, LimitError, PlaygroundError
from playground.guard import Ticket
from playground.judging.judges import Clip, Judge, JudgePrice, Judges, price, requests
from playground.launcher import Launcher
from playground.presets import markdown_literal
from playground.record import RunRecord, Status
from playground.runner import Watch
from playground.visitor import Visitor

URL_CHECK_S = 5.0  # how long asking fal's media host whether a clip's URL still answers may take
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # a local copy larger than this is not sent inline


@dataclass(frozen=True)
class JudgeQuote:
    """What judging a row would do: the judge, its clips (cells in the judge's order) and its price; or why not."""

    judge: Judge | None
    cells: tuple[BatchCell, ...]
    price: JudgePrice | None
    refusal: str = ""

    @property
    def said(self) -> str:
        """The line under the Judge button: the cost before, or why the row cannot be judged."""
        if self.refusal or self.judge is None or self.price is None:
            return self.refusal
        return (f"Judging this row with **{markdown_literal(self.judge.name)}** costs about **${self.price.usd:.4f}** "
                f"({len(self.cells)} clip(s); {self.price.formula}). A judge's verdict is a model's, shown apart from "
                "people's votes.")


async def _release_after(watches: list[Watch], ticket: Ticket) -> None:
    """The row's admission ends with its last call (its rows are in the log by then)."""
    try:
        await asyncio.gather(*(watch.outcome() for watch in watches), return_exceptions=True)
    finally:
        ticket.release()


async def _called_off(watches: list[Watch], ticket: Ticket, why: PlaygroundError) -> PlaygroundError:
    """A row's calls stopped because a later one could not start: each started one cancelled and followed to its
    row (a call that had already answered stays answered), then why, with what became of them."""
    for watch in watches:
        watch.cancel()
    try:
        ended = await asyncio.gather(*(watch.outcome() for watch in watches))
    finally:
        ticket.release()
    answered = sum(record.status == Status.COMPLETED for record in ended)
    said = (f"{why}. This row was not judged: its {len(ended)} call(s) already started were called off"
            + (f" ({answered} had answered; every call is in History)" if answered else " (every call is in History)"))
    return LimitError(said) if isinstance(why, LimitError) else InputError([("judge", said)])


async def _answers(url: str) -> bool:
    """Whether a clip's URL still serves it (fal's media URLs expire): a GET whose body is never read."""
    if not url.startswith(("https://", "http://")):
        return False
    try:
        async with httpx.AsyncClient(timeout=URL_CHECK_S, follow_redirects=True) as client:
            async with client.stream("GET", url) as response:
                return response.status_code == 200
    except httpx.HTTPError:
        return False


def _inline(path: str) -> str:
    """The local copy of a clip as a data URI, which the fal backend uploads to fal storage before the call."""
    local = Path(path)
    if not path or not local.is_file():
        raise InputError([("clip", "its fal URL has expired and the app has no local copy of it")])
    if local.stat().st_size > MAX_UPLOAD_BYTES:
        raise InputError([("clip", f"its local copy is over {MAX_UPLOAD_BYTES // 2**20} MB")])
    return "data:video/mp4;base64," + base64.b64encode(local.read_bytes()).decode("ascii")


class JudgeRuns:
    """The model judges of comparison rows: what a judge would cost, its calls as runs, its verdicts."""

    def __init__(self, launcher: Launcher, judges: Callable[[], Judges]):
        """``judges`` loads the judges when first used (their data is not read at start-up)."""
        self.launcher, self._load = launcher, judges
        self._judges: Judges | None = None
        self._releasing: set[asyncio.Task[None]] = set()  # rows whose calls are under way hold their admission

    @property
    def judges(self) -> Judges:
        if self._judges is None:
            self._judges = self._load()
        return self._judges

    def names(self) -> list[str]:
        return self.judges.names()

    def quote(self, snapshot: BatchSnapshot | None, row: str | None, judge_name: str, visitor: Visitor) -> JudgeQuote:
        """What judging ``row`` with ``judge_name`` would send and cost; never raises (a refusal says why)."""
        try:
            return self._quote(snapshot, row, judge_name, visitor)
        except PlaygroundError as exc:
            return JudgeQuote(None, (), None, str(exc))

    def _quote(self, snapshot: BatchSnapshot | None, row: str | None, judge_name: str, visitor: Visitor) -> JudgeQuote:
        judge = self.judges.get(judge_name or "")
        backend = kind(self.launcher.backend_for(visitor.key).name)
        if backend is None or not backend.can_judge:
            return JudgeQuote(judge, (), None, f"No judge on the {backend.title if backend else 'this backend'}: a "
                              "judge is a vision model on fal, billed to a fal key, and its verdicts would be made "
                              "up here. Enter your fal key at the top of the page to judge rows; the signals under "
                              "each clip need no key.")
        if snapshot is None or not snapshot.done or not row or row not in snapshot.rows():
            return JudgeQuote(judge, (), None, "Run a comparison, let it finish, and choose a row to judge it.")
        made_by = kind(snapshot.backend)
        if made_by is not None and not made_by.model_output:
            return JudgeQuote(judge, (), None, f"This row's clips are {made_by.title}s (synthetic): a judge would "
                              "judge no model.")
        cells = tuple(cell for _, cell in blind_order(snapshot.batch_id, row, snapshot.rows()[row])
                      if cell.status is CellStatus.COMPLETED)
        if not cells:
            return JudgeQuote(judge, (), None, "This row has no finished clip to judge.")
        clips = [Clip(cell.run.video_url or cell.run.video_path, cell.run.duration_s or 0.0, cell.run.has_audio is True)
                 for cell in cells]
        return JudgeQuote(judge, cells, price(judge, clips, cells[0].prompt))

    async def judge(self, snapshot: BatchSnapshot | None, row: str | None, judge_name: str,
                    visitor: Visitor) -> list[RunRecord]:
        """Judge a row: every call started (InputError or LimitError before any is, if the row cannot be judged or
        a cap refuses), then each followed to its row; the calls' records, however each ended."""
        watches = await self.start(snapshot, row, judge_name, visitor)
        return list(await asyncio.gather(*(watch.outcome() for watch in watches)))

    async def start(self, snapshot: BatchSnapshot | None, row: str | None, judge_name: str,
                    visitor: Visitor) -> list[Watch]:
        """Every call of the row started, or none. The row is admitted once, at its whole estimate: checked against
        the caps before anything is sent, then let in as one of the visitor's runs at once (waiting for a free one,
        as a comparison's cells do), so no cap can refuse a row half way and leave it half judged and paid for."""
        quote = self._quote(snapshot, row, judge_name, visitor)
        if quote.refusal or quote.judge is None or quote.price is None or snapshot is None or row is None:
            raise InputError([("judge", quote.refusal)])
        judge, cells = quote.judge, quote.cells
        guard, server_billed = self.launcher.guard, self.launcher.billed_to(visitor.key) == "server"
        calls = len(cells) if judge.endpoint.scope == "clip" else 1
        guard.check(visitor.limited_as, quote.price.usd, server_billed, runs=calls)
        urls = await asyncio.gather(*(self._clip_url(cell) for cell in cells))
        clips = [Clip(url, cell.run.duration_s or 0.0, cell.run.has_audio is True) for url, cell in zip(urls, cells, strict=True)]
        prompt = cells[0].prompt
        bodies = requests(judge, clips, prompt)
        per_clip = len(bodies) == len(clips) and judge.endpoint.scope == "clip"
        attempt = uuid.uuid4().hex[:12]
        ticket = await guard.admit_waiting(visitor.limited_as, quote.price.usd, server_billed)
        watches: list[Watch] = []
        try:
            for place, body in enumerate(bodies):
                usd = price(judge, [clips[place]], prompt).usd if per_clip else quote.price.usd
                subject = Subject(snapshot.batch_id, row, judge.name, attempt, place if per_clip else WHOLE_ROW,
                                  tuple(c.index for c in cells), tuple(c.credited for c in cells),
                                  tuple(c.has_audio for c in clips), snapshot.backend, prompt, cells[0].seed)
                watches.append(self.launcher.start_judge(judge.endpoint.endpoint_id, judge.endpoint.label, body, usd,
                                                         subject.text(), prompt, visitor,
                                                         Ticket(None, visitor.limited_as, 0.0)))  # the row's holds
        except PlaygroundError as exc:  # a later call could not start: the earlier ones are called off, and said
            if watches:
                raise await _called_off(watches, ticket, exc) from exc
            ticket.release()
            raise
        except BaseException:
            for watch in watches:
                watch.cancel()
            ticket.release()
            raise
        self._releasing.add(task := asyncio.create_task(_release_after(watches, ticket)))
        task.add_done_callback(self._releasing.discard)
        return watches

    async def _clip_url(self, cell: BatchCell) -> str:
        """The clip's fal URL while it answers, else its local copy inline (uploaded by the backend)."""
        if await _answers(cell.run.video_url):
            return cell.run.video_url
        return await asyncio.to_thread(_inline, cell.run.video_path)

    def verdicts(self, batch_id: str) -> dict[tuple[str, str, str], RowJudgement]:
        """(batch, row, judge) → each judge's newest verdict on each row of this batch."""
        return judgements(self.launcher.runner.results.read(), batch_id)
