"""Seedance Playground: build the app from the core and launch it.

No host or port here: Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (Hugging Face Spaces sets them).
"""

import logging

from playground.ui import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll is noise; failures still show
demo, launch_options = create_app()

if __name__ == "__main__":
    demo.launch(**launch_options)
