"""Seedance Playground: build the app from the core and launch it.

No host or port here: Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (Hugging Face Spaces sets them).
"""

import gc
import logging

from playground.errors import PlaygroundError
from playground.ui import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise; failures still show
try:
    demo, launch_options = create_app()
except PlaygroundError as exc:  # a setting or the data directory: said plainly, no traceback
    raise SystemExit(f"Seedance Playground cannot start: {exc}") from None

if __name__ == "__main__":
    # What start-up made (Gradio's modules and ours, the page) lives as long as the process: kept out of the
    # collector, a full collection no longer walks its ~150k objects, a 65-80 ms pause that fell during launch and
    # later on whichever visitor's request set one off. A cycle start-up left unreachable is never freed: bounded.
    gc.freeze()
    demo.launch(**launch_options)
