"""fal's submit, sent again only where fal certainly did not get it.

fal-client retries a submit after any network error, a connection dropped *after* the request reached fal
included; fal then runs (and bills) two requests, and only the second one's id is ever known. Here the POST
goes through fal-client's own HTTP client (its key, user agent and backup-domain transport) and is retried
only when no connection could be made, or fal answered that it did not take the request (429, or its
ingress's 502/503 page, which carries no request id). After anything else — the connection dropped or timed
out once the request was on its way — the submit raises ``SubmitUnknown`` and is not sent again: the run is
logged saying that fal may have accepted it, with the time to look for in fal's dashboard.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import fal_client.client
import httpx
from fal_client import AsyncRequestHandle, FalClientHTTPError

from playground.backends.fal_errors import retry_after_s

ATTEMPTS = 5
MAX_RETRY_AFTER_S = 30.0  # fal asking for a longer pause than this is answered at once, saying how long to wait
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
NOT_TAKEN = (429, 502, 503)


class SubmitUnknown(Exception):
    """The request left, but its answer never arrived: fal may be running (and billing) it under an unknown id."""


def _not_taken(response: httpx.Response) -> bool:
    """fal said it did not take the request: rate limited, or its ingress failed before reaching the queue."""
    if response.status_code == 429:
        return True
    return (response.status_code in NOT_TAKEN and "x-fal-request-id" not in response.headers
            and "nginx" in response.text.lower())


def _raise_for_status(response: httpx.Response) -> None:
    """fal's error answer as fal-client raises it (detail and error_type from the body or the header)."""
    if response.is_success:
        return
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail", response.text) if isinstance(body, dict) else response.text
    error_type = (body.get("error_type") if isinstance(body, dict) else None) or response.headers.get("x-fal-error-type")
    raise FalClientHTTPError(detail, response.status_code, dict(response.headers), response=response,
                             error_type=error_type)


async def submit(http: httpx.AsyncClient, endpoint_id: str, arguments: dict[str, Any], headers: dict[str, str],
                 timeout_s: float) -> AsyncRequestHandle:
    """POST the request to fal's queue and return fal-client's handle for it (status, result, cancel)."""
    url = fal_client.client.QUEUE_URL_FORMAT + endpoint_id
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = await http.post(url, json=arguments, headers=headers, timeout=timeout_s)
        except NOT_SENT:
            if attempt == ATTEMPTS:
                raise
            await asyncio.sleep(min(10.0, 0.2 * 2 ** attempt) * random.uniform(0.5, 1.5))
            continue
        except httpx.HTTPError as exc:
            raise SubmitUnknown(f"{exc.__class__.__name__}: {str(exc)[:120] or 'no details'}") from exc
        if _not_taken(response) and attempt < ATTEMPTS:
            asked = retry_after_s(response.headers)
            if asked is not None and asked > MAX_RETRY_AFTER_S:
                _raise_for_status(response)  # said at once, with fal's own wait (fal_errors), not retried in seconds
            await asyncio.sleep(asked if asked is not None else
                                min(10.0, 0.2 * 2 ** attempt) * random.uniform(0.5, 1.5))
            continue
        _raise_for_status(response)
        try:
            data = response.json()
            return AsyncRequestHandle(request_id=data["request_id"], response_url=data["response_url"],
                                      status_url=data["status_url"], cancel_url=data["cancel_url"], client=http)
        except (ValueError, KeyError, TypeError) as exc:  # fal took it (2xx) but its answer is unreadable
            raise SubmitUnknown(f"fal's answer could not be read ({exc.__class__.__name__})") from exc
    raise AssertionError("unreachable: the last attempt returns or raises")
