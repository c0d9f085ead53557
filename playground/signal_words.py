"""A clip's signals in one short line, for the grid's captions and History's details (definitions: README,
"Signals", and ``playground.signals.DEFINITIONS``)."""

from __future__ import annotations

from playground.record import RunRecord


def signals_line(run: RunRecord) -> str:
    """"motion 3.1 · flicker 0.4 · sharpness 212 · cuts at 48 · −21 dB, 10 % silent" ("" before it is measured)."""
    if run.sharpness is None and run.flicker is None:
        return ""
    parts = [f"motion {run.motion:.1f}" if run.motion is not None else "",
             f"flicker {run.flicker:.1f}" if run.flicker is not None else "",
             f"sharpness {run.sharpness:.0f}" if run.sharpness is not None else "",
             f"cuts at {', '.join(run.cuts.split())}" if run.cuts.strip() else "no cuts"]
    if run.loudness_db is not None:
        silent = f", {run.silence:.0%} silent" if run.silence is not None else ""
        parts.append(f"{run.loudness_db:.0f} dB{silent}".replace("-", "−"))
    return " · ".join(part for part in parts if part)
