"""Seedance Playground core: catalog, requests, estimates, backends and the results log.

Plain Python only; the Gradio UI lives in ``playground.ui`` and is the only place that imports gradio.
"""
