"""The UI edge: the playground's error family becomes a Gradio error modal, once, here."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import gradio as gr

from playground.errors import InputError, LimitError, PlaygroundError

TITLES = ((InputError, "Please fix these fields"), (LimitError, "Limit reached"))


def to_gr_error(exc: PlaygroundError) -> gr.Error:
    title = next((text for kind, text in TITLES if isinstance(exc, kind)), "Run failed")
    return gr.Error(str(exc), title=title, print_exception=False)


def said_inline(exc: PlaygroundError, heading: str) -> str:
    """An error said where a view has a line for it (Markdown), instead of a pop-up: the heading, then each problem."""
    problems = exc.problems if isinstance(exc, InputError) else []
    lines = [f"- `{field}: {message}`" for field, message in problems] or [f"- {exc}"]
    return f"⚠️ **{heading}:**\n" + "\n".join(lines)


def user_errors(fn: Callable) -> Callable:
    """Wrap a handler (plain, async, or async generator) so PlaygroundError surfaces as gr.Error."""
    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def agen(*args, **kwargs):
            try:
                async for item in fn(*args, **kwargs):
                    yield item
            except PlaygroundError as exc:
                raise to_gr_error(exc) from exc
        return agen
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def coro(*args, **kwargs):
            try:
                return await fn(*args, **kwargs)
            except PlaygroundError as exc:
                raise to_gr_error(exc) from exc
        return coro

    @functools.wraps(fn)
    def plain(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PlaygroundError as exc:
            raise to_gr_error(exc) from exc
    return plain
