"""fal's failures as messages a person can act on (fal-client's exceptions carry raw bodies and lists)."""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone
from typing import Any

import httpx
from fal_client import FalClientHTTPError

MAX_DETAIL = 300


def detail_lines(detail: Any) -> list[str]:
    """A 422 ``detail`` list as ``field: message`` lines (``loc`` is ["body", field, …])."""
    if isinstance(detail, list):
        lines = []
        for item in detail:
            if not isinstance(item, dict):
                lines.append(str(item)[:MAX_DETAIL])
                continue
            loc = [str(part) for part in item.get("loc") or [] if part != "body"]
            kind = f" ({item['type']})" if item.get("type") else ""
            lines.append(f"{'.'.join(loc) or 'request'}: {item.get('msg', 'invalid')}{kind}")
        return lines
    return [_plain(detail)]


def _plain(detail: Any) -> str:
    text = str(detail if detail is not None else "").strip()
    if "<html" in text.lower():
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        text = f"an HTML error page ({title.group(1).strip()})" if title else "an HTML error page"
    return text[:MAX_DETAIL] or "no details given"


def http_error_message(exc: FalClientHTTPError, during: str) -> str:
    code = exc.status_code
    kind = f", {exc.error_type}" if exc.error_type else ""
    said = "; ".join(detail_lines(exc.message))
    if code in (401, 403):
        return (f"fal.ai refused the key (HTTP {code}) while {during}: {said}. Check that the key is right and "
                "that its account may use this endpoint (not retried).")
    if code == 422:
        return "fal.ai rejected the request (HTTP 422; fal bills these):\n" + "\n".join(detail_lines(exc.message))
    wait = _asked_wait(exc)
    if code == 429:
        return (f"fal.ai is rate-limiting this key (HTTP 429) while {during}: {said}. " + (
            f"fal asks to wait {wait} before trying again (Retry-After); nothing was sent." if wait else
            "Wait a minute or run fewer at once."))
    if code == 404:
        return f"fal.ai does not know this request (HTTP 404) while {during}: {said}."
    if code >= 500:
        return (f"fal.ai had a server error (HTTP {code}{kind}) while {during}: {said}. "
                "fal does not bill server errors; " + (f"fal asks to wait {wait} before trying again (Retry-After)."
                                                      if wait else "try again."))
    return f"fal.ai answered HTTP {code}{kind} while {during}: {said}."


def retry_after_s(headers: Any) -> float | None:
    """The pause fal asks for before another try (``Retry-After``: seconds or an HTTP date), if it asks."""
    raw = str(headers.get("retry-after") or "").strip()
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _asked_wait(exc: FalClientHTTPError) -> str:
    """fal's ``Retry-After`` as a person reads it ("1 hour", "90 s"), or '' when it asks for no pause."""
    seconds = retry_after_s({k.lower(): v for k, v in (exc.response_headers or {}).items()})
    if seconds is None:
        return ""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    hours = round(seconds / 3600, 1)
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def describe(exc: BaseException, during: str) -> str:
    """One readable line (or a few, for 422) for any failure talking to fal."""
    if isinstance(exc, FalClientHTTPError):
        return http_error_message(exc, during)
    if isinstance(exc, httpx.TimeoutException):
        return f"fal.ai did not answer in time while {during} ({exc.__class__.__name__}), even after retries."
    if isinstance(exc, httpx.HTTPError):
        return f"could not reach fal.ai while {during} ({exc.__class__.__name__}: {str(exc)[:120] or 'no details'})."
    if isinstance(exc, (KeyError, ValueError, TypeError)):
        return f"fal.ai answered something unexpected while {during} ({exc.__class__.__name__}: {str(exc)[:120]})."
    return f"{exc.__class__.__name__} while {during}: {str(exc)[:MAX_DETAIL]}"


def failed_run_message(error: str | None, error_type: str | None, result_exc: BaseException | None) -> str:
    """A run fal reports COMPLETED with an error; the result GET may add a 422-style detail list."""
    head = f"fal.ai reported that the run failed: {_plain(error)}" + (f" ({error_type})" if error_type else "")
    if isinstance(result_exc, FalClientHTTPError) and isinstance(result_exc.message, list):
        return head + "\n" + "\n".join(detail_lines(result_exc.message))
    return head
