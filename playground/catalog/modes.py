"""The modes an endpoint can be in, in the order tabs and lists show them: the one home of their words.

A facts file's ``mode`` is one of these names (the loader refuses any other). An endpoint tab's label says the
mode's title, History's endpoint column its short form, and Compare offers one form per mode, in this order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    """One mode and the words for it."""

    name: str  # what facts files, presets and `/catalog` say: "text-to-video"
    title: str  # an endpoint tab's label: "Text → Video"
    short: str  # History's endpoint column: "T2V"


MODES = (Mode("text-to-video", "Text → Video", "T2V"),
         Mode("image-to-video", "Image → Video", "I2V"),
         Mode("reference-to-video", "Reference → Video", "R2V"))
MODE_NAMES = tuple(mode.name for mode in MODES)
BY_NAME = {mode.name: mode for mode in MODES}
