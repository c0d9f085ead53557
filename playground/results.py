"""The results log: one CSV row per finished run (contract: DESIGN §5). This module is its only writer."""

from __future__ import annotations

from playground.csvlog import CsvLog

COLUMNS = [
    "run_id", "batch_id", "created_at", "finished_at", "backend", "endpoint_id", "status", "request_id", "prompt",
    "arguments_json", "seed", "video_url", "video_path", "width", "height", "fps", "frames", "duration_s",
    "queue_s", "run_s", "total_s", "estimated_cost_usd", "billed_units", "error",
    "checks", "has_audio", "mean_luma", "motion",  # output checks (playground.checks); added after the first release
    "owner", "billed_to",  # whose run (a key fingerprint or a session hash) and who paid: server | visitor | ""
    "billed_cost_usd",  # billed_units × the endpoint's unit price, where the catalog knows it (else empty)
    "served_by",  # the endpoint that really ran it, when fal says it rerouted the request (else empty)
]
STATUSES = ("completed", "failed", "cancelled", "timed_out")


class ResultsLog(CsvLog):
    """Append-only CSV of finished runs, safe for several writers (threads or processes)."""

    columns = COLUMNS

    def newest(self, limit: int) -> list[dict[str, str]]:
        """The last ``limit`` rows, newest first."""
        frame = self.read()
        return frame.iloc[::-1].head(max(0, int(limit))).to_dict(orient="records")
