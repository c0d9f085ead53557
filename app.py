"""Seedance Playground: build the app from the core and launch it.

No host or port here: Gradio reads GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (Hugging Face Spaces sets them).
"""

from playground.ui import create_app

demo, launch_options = create_app()

if __name__ == "__main__":
    demo.launch(**launch_options)
