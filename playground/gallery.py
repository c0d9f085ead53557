"""Examples that show what the tool does without spending: comparisons rendered by the offline preview.

The specs ship in ``gallery/``; their clips are rendered once, the first time someone opens the Examples
tab, into ``<data dir>/gallery/`` — never logged as runs, never sent anywhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playground.backends.offline import OfflineBackend
from playground.catalog import Catalog
from playground.compare.grid import grid_html
from playground.compare.plan import Plan, plan
from playground.compare.snapshot import BatchSnapshot
from playground.compare.spec import parse_spec
from playground.config import Limits
from playground.errors import RunError
from playground.events import Completed
from playground.media import probe_video
from playground.small_files import SmallFileError, read_small_text

log = logging.getLogger(__name__)
GALLERY_DIR = Path(__file__).resolve().parent.parent / "gallery"
MAX_EXAMPLE_BYTES = 1024 * 1024  # a spec or a rendered snapshot is a few kB; a pipe or device here is never read


class Gallery:
    """The shipped example comparisons and their rendered snapshots."""

    def __init__(self, catalog: Catalog, out: Path, source: Path = GALLERY_DIR):
        self.catalog, self.out = catalog, Path(out)
        self.examples: list[dict[str, Any]] = []
        for path in sorted(Path(source).glob("*.json")) if Path(source).is_dir() else []:
            try:
                example = json.loads(read_small_text(path, MAX_EXAMPLE_BYTES))
                self.plan(example["spec"])  # valid against today's catalog
            except Exception as exc:  # a broken example must not stop the app
                log.warning("gallery example %s skipped: %s", path.name, exc)
                continue
            self.examples.append({"name": path.stem, "title": example.get("title", path.stem),
                                  "description": example.get("description", ""), "spec": example["spec"]})

    def plan(self, spec: Any) -> Plan:
        return plan(parse_spec(spec, self.catalog, Limits.max_batch_cells), self.catalog)

    async def grids(self, file_url: Callable[[str], str]) -> list[str]:
        """Every example's grid, rendering the ones not rendered yet (``file_url``: a clip's path → its page URL)."""
        await self.render_missing()
        return [grid_html(_typed(self.snapshot(e["name"])), False, set(), file_url) for e in self.examples]

    def snapshot(self, name: str) -> dict[str, Any] | None:
        """An example's rendered snapshot, or None when there is none to read (it is rendered again, over it)."""
        try:
            snapshot = json.loads(read_small_text(self.out / f"{name}.json", MAX_EXAMPLE_BYTES))
        except (SmallFileError, ValueError, RecursionError):
            return None
        return snapshot if isinstance(snapshot, dict) else None

    async def render_missing(self) -> None:
        """Render every example that has no snapshot yet (offline, unlogged)."""
        for example in self.examples:
            if self.snapshot(example["name"]) is None:
                await self._render(example)

    async def _render(self, example: dict[str, Any]) -> None:
        planned = self.plan(example["spec"])
        backend, folder = OfflineBackend(step_delay_s=0), self.out / example["name"]
        cells = []
        for cell in planned.cells:
            completed = None
            async for event in backend.run(endpoint=cell.endpoint, arguments=cell.arguments, outputs=folder,
                                           run_id=f"cell{cell.index}", stop=asyncio.Event(),
                                           deadline=float("inf")):
                completed = event if isinstance(event, Completed) else completed
            if completed is None:
                raise RunError(f"the offline preview made no clip for the example {example['name']!r}")
            path = folder / completed.result["video"]["file_name"]
            probe = await asyncio.to_thread(probe_video, path)
            cells.append({"cell": cell.index, "row": cell.row_key, "row_label": cell.row_label, "prompt": cell.prompt,
                          "prompt_index": cell.prompt_index, "seed": cell.seed, "label": cell.endpoint.short_label,
                          "endpoint_id": cell.endpoint.endpoint_id, "status": "completed", "error": "",
                          "estimated_cost_usd": cell.estimate.usd, "video_path": str(path), "width": probe.width,
                          "height": probe.height, "duration_s": probe.duration_s, "total_s": None, "position": None})
        snapshot = {"batch_id": f"gallery-{example['name']}", "backend": "offline", "done": True, "cells": cells,
                    "warnings": list(planned.warnings), "total_usd": planned.total_usd}
        temporary = self.out / f"{example['name']}.json.tmp"
        temporary.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.out / f"{example['name']}.json")


def _typed(snapshot: dict[str, Any] | None) -> BatchSnapshot | None:
    """A rendered example as the grid draws it (its file is the `/compare` answer's form)."""
    return BatchSnapshot.from_dict(snapshot) if snapshot else None
