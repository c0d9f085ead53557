"""A fake fal.ai on loopback: real HTTPS speaking fal's queue protocol, with scriptable jobs and faults.

fal-client always speaks ``https://`` and reads ``FAL_QUEUE_RUN_HOST`` when it is imported, so this server
serves TLS with a throwaway CA from ``trustme``; point a process at it with ``env()`` (before fal_client is
imported there). Everything it sees is recorded in ``requests`` for tests to inspect.

Routes, answered as fal's documentation and clients say fal answers (reference/fal-queue-protocol.md, and its
"Turn-2 facts"), not as the app happens to expect:
  POST /<endpoint id>                       submit → request_id + absolute status/response/cancel URLs
  GET  /<owner>/<alias>/requests/<id>/status?logs=true|1   202 while IN_QUEUE/IN_PROGRESS, 200 when COMPLETED;
                                            logs: every line so far ({timestamp, message, labels})
  GET  /<owner>/<alias>/requests/<id>/status/stream?logs=1  server-sent events: only data: lines, each a whole
                                            status whose logs are the NEW lines only; ": ping" while quiet; closed
                                            after COMPLETED
  GET  /<owner>/<alias>/requests/<id>       result (model output, x-fal-billable-units, x-fal-served-from when
                                            rerouted); 499 once a cancel was honoured
  PUT  /<owner>/<alias>/requests/<id>/cancel  202 CANCELLATION_REQUESTED, or 400 ALREADY_COMPLETED once done
  POST /storage/auth/token, POST /files/upload, GET /files/<name>   storage upload (fal_client's default
                                            repository: a CDN token, then the bytes) and media
  POST /storage/upload/initiate?storage_type=fal-cdn-v3|gcs   fal's storage REST (fal-js; fal_client's fallback):
                                            {content_type, file_name} with the key → {upload_url, file_url}
  PUT  <upload_url>                         the bytes, to the signed URL initiate gave (no key); then file_url
                                            serves them
  GET  /api/openapi/queue/openapi.json?endpoint_id=<id>               fal's OpenAPI document per endpoint
  GET  /v1/models/pricing?endpoint_id=a,b   fal's pricing API (1–50 ids, with the key)
The certificate also names queue.fal.run, rest.fal.ai and v3.fal.media, so an unmodified client pointed here
(curl's --connect-to in a curlrc, a fetch that swaps the host) talks to this server.
"""

from __future__ import annotations

import io
import json
import re
import select
import socket
import ssl
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import av
import numpy as np
import trustme

TRICKLE_S = 0.5
HANG_LIMIT_S = 120.0  # a hung answer gives up after this (or as soon as the client hangs up)
REQUEST_PATH = re.compile(r"^/(?P<app>[^/]+/[^/]+)/requests/(?P<id>[^/]+)(?P<op>/status/stream|/status|/cancel)?$")
SIGNED_PUT = re.compile(r"^/storage/signed/(?P<name>[\w.-]+)$")  # where initiate's upload_url points (fake's own)
STORAGE_TYPES = ("fal-cdn-v3", "gcs")  # what fal-js and fal_client's fallback ask initiate for
NGINX_502 = (502, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
                  "<hr><center>nginx</center></body></html>", {"Content-Type": "text/html"})


# The vision-language judges as fal documents them (reference: judges-decisions-storage.md): queue protocol like
# every model, input checked by the model (a 422 with a detail list at the result), output {"output": text} — free
# text: nothing makes it answer JSON but the prompt. Required inputs, and inputs that exclude each other:
JUDGES: dict[str, tuple[dict[str, type], tuple[str, ...]]] = {
    "fal-ai/video-understanding": ({"video_url": str, "prompt": str}, ()),
    "openrouter/router/video": ({"video_urls": list, "prompt": str}, ("video_url", "video_urls")),
}
JUDGE_ANSWER = "The video shows a scene that matches part of the description."


def judge_input_problems(endpoint_id: str, body: dict) -> list[dict]:
    """The 422 detail list a judge endpoint answers for ``body`` (empty when it is acceptable)."""
    required, exclusive = JUDGES[endpoint_id]
    problems = [{"loc": ["body", name], "msg": "field required", "type": "missing"}
                for name in required if name not in body]
    problems += [{"loc": ["body", name], "msg": f"expected {kind.__name__}", "type": "type_error"}
                 for name, kind in required.items() if name in body and not isinstance(body[name], kind)]
    if exclusive and all(name in body for name in exclusive):
        problems.append({"loc": ["body"], "msg": f"{' and '.join(exclusive)} are mutually exclusive",
                         "type": "value_error"})
    return problems


@dataclass
class Script:
    """How the next submitted job behaves. Times are seconds after submit; faults are (status, body, headers)."""

    queue_s: float = 0.3
    positions: int = 2  # queue positions reported, counting down to 0, spread over queue_s
    run_s: float = 0.6
    logs: tuple[str, ...] = ("loading model", "denoising 50%", "encoding video")
    hold: bool = False  # stay IN_PROGRESS until release() (forever if never released)
    submit_faults: tuple = ()  # answered to consecutive submit attempts before the job is accepted
    submit_fault_always: tuple | None = None  # answered to every submit attempt
    error: tuple[str, str] | None = None  # COMPLETED with (error, error_type)
    result_fault: tuple | None = None  # answer to the result GET
    drop_status: tuple[int, ...] = ()  # status request numbers (1-based) whose connection is dropped unanswered
    video_missing: bool = False  # the result's video URL answers 404
    billable_units: str | None = "1"
    seed: int | None = None
    stream: bool = True  # serve the SSE status stream (else 404 there, so clients must poll)
    drop_stream_after: int | None = None  # close the stream after this many events, before COMPLETED
    submit_drop: bool = False  # take the submit (the job exists and runs) but drop the connection unanswered
    served_from: str = ""  # the result says another endpoint served it (x-fal-served-from)
    start_timeout_hit: bool = False  # no runner started within the submit's X-Fal-Request-Timeout: 504 (type "user")
    hang: tuple[str, ...] = ()  # answer nothing (until the client hangs up) on: "submit", "status", "stream",
    #                             "result", "cancel", "video"
    trickle: tuple[str, ...] = ()  # send the body of "result" or "video" one byte every TRICKLE_S
    output: str | None = None  # a judge endpoint's answer text (else JUDGE_ANSWER)
    answer: object = None  # or a function of the request body → the answer text (a test's model that looks)


@dataclass
class Job:
    request_id: str
    app: str
    endpoint_id: str
    body: dict
    authorization: str
    script: Script
    submitted: float = field(default_factory=time.monotonic)
    released_at: float | None = None
    cancelled: bool = False
    status_requests: int = 0
    streams: int = 0  # status streams opened
    logs_at_cancel: int = 0  # lines logged when the cancel arrived (no more come after it)

    @property
    def followed(self) -> bool:
        """Someone asked about this job after submitting it (polled its status or opened its stream)."""
        return bool(self.status_requests or self.streams)

    def phase(self, now: float) -> tuple[str, float]:
        """("queue"|"run"|"done", seconds into that phase)."""
        age = now - self.submitted
        if age < self.script.queue_s:
            return "queue", age
        running = age - self.script.queue_s
        if self.script.hold:
            if self.released_at is None:
                return "run", running
            return "done", 0.0
        return ("run", running) if running < self.script.run_s else ("done", 0.0)


@dataclass(frozen=True)
class Seen:
    """One request the fake received."""

    method: str
    path: str
    query: str
    authorization: str
    at: float
    size: int = 0  # request body bytes
    headers: dict = field(default_factory=dict, compare=False)  # request headers, names lower-case
    body: bytes = field(default=b"", compare=False, repr=False)


def tiny_mp4(width: int = 160, height: int = 96, frames: int = 24) -> bytes:
    """A small real H.264 clip, so the app's probe has something true to read."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for i in range(frames):
            frame = np.full((height, width, 3), (i * 10) % 255, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


class FakeFal:
    """The fake server: start() it, script() the next jobs, inspect requests/jobs/uploads, release() held jobs."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA()
        self.ca_path = self.workdir / "fake-fal-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        self.lock = threading.RLock()
        self.requests: list[Seen] = []
        self.jobs: dict[str, Job] = {}
        self.uploads: dict[str, bytes] = {}
        self.signed: dict[str, tuple[str, str]] = {}  # initiated uploads: name → (content type, signature)
        self.scripts: deque[Script] = deque()
        self.by_endpoint: dict[str, Script] = {}  # used when no queued script is waiting
        self.openapi: dict[str, dict] = {}  # documents served at /api/openapi/queue/openapi.json (others: 404)
        self.prices: dict[str, dict] = {}  # endpoint id → {"unit_price", "unit", "currency"} at /v1/models/pricing
        self.default = Script()
        self.video = tiny_mp4()
        self._server: ThreadingHTTPServer | None = None
        self._attempts: dict[str, int] = {}  # per endpoint: submit attempts answered with a fault so far

    # -- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> "FakeFal":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        names = ("127.0.0.1", "localhost", "queue.fal.run", "rest.fal.ai", "v3.fal.media")
        self.ca.issue_cert(*names).configure_cert(context)
        fake = self

        class Handler(_Handler):
            owner = fake

        class Server(ThreadingHTTPServer):
            request_queue_size = 512  # many clients at once (load benchmarks), as a real front end takes them

        server = Server(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-fal", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"https://{self.host}"

    def env(self) -> dict[str, str]:
        """What a process needs (before importing fal_client) to talk to this fake."""
        return {"FAL_QUEUE_RUN_HOST": self.host, "SSL_CERT_FILE": str(self.ca_path)}

    # -- scripting and inspection -------------------------------------------------------------------
    def reset(self, default: Script | None = None) -> None:
        with self.lock:
            self.requests.clear()
            self.jobs.clear()
            self.uploads.clear()
            self.signed.clear()
            self.scripts.clear()
            self.by_endpoint.clear()
            self.openapi.clear()
            self.prices.clear()
            self._attempts.clear()
            self.default = default or Script()

    def script(self, *scripts: Script) -> None:
        """Behaviour of the next submitted jobs, in order; later jobs follow ``default``."""
        with self.lock:
            self.scripts.extend(scripts)

    def release(self, request_id: str | None = None) -> None:
        """Let held jobs finish (all of them when no id is given)."""
        with self.lock:
            for job in self.jobs.values():
                if request_id in (None, job.request_id) and job.released_at is None:
                    job.released_at = time.monotonic()

    def seen(self, method: str | None = None, contains: str = "") -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if (method is None or s.method == method) and contains in s.path]

    def job_requests(self, request_id: str) -> list[Seen]:
        """Every request about one job: its submit and everything under its request URLs."""
        with self.lock:
            job = self.jobs[request_id]
            return [s for s in self.requests
                    if f"/requests/{request_id}" in s.path
                    or (s.method == "POST" and s.path == f"/{job.endpoint_id}" and s.at == job.submitted)]

    # -- protocol -------------------------------------------------------------------------------------
    def submit(self, endpoint_id: str, body: dict, authorization: str, at: float):
        with self.lock:
            script = self.scripts[0] if self.scripts else self.by_endpoint.get(endpoint_id, self.default)
            if script.submit_fault_always:
                return script.submit_fault_always
            attempt = self._attempts.get(endpoint_id, 0)
            if attempt < len(script.submit_faults):
                self._attempts[endpoint_id] = attempt + 1
                return script.submit_faults[attempt]
            self._attempts[endpoint_id] = 0
            if self.scripts:
                self.scripts.popleft()
            request_id = str(uuid.uuid4())
            app = "/".join(endpoint_id.split("/")[:2])
            self.jobs[request_id] = Job(request_id, app, endpoint_id, body, authorization, script, submitted=at)
            base = f"{self.base_url}/{app}/requests/{request_id}"
            return 200, {"status": "IN_QUEUE", "request_id": request_id, "response_url": base,
                         "status_url": base + "/status", "cancel_url": base + "/cancel",
                         "queue_position": script.positions}, {}

    def status(self, job: Job, with_logs: bool) -> tuple[int, dict]:
        """(HTTP status, body): 202 while queued or running, 200 once COMPLETED; logs are every line so far."""
        now = time.monotonic()
        phase, into = job.phase(now)
        base = f"{self.base_url}/{job.app}/requests/{job.request_id}"
        body = {"request_id": job.request_id, "response_url": base, "status_url": base + "/status",
                "cancel_url": base + "/cancel"}
        if job.cancelled:  # a cancel the model honoured: the request is over (its result answers 499)
            return 200, {**body, "status": "COMPLETED", "logs": self._logs(job, None)[:job.logs_at_cancel]
                         if with_logs else None, "metrics": {}}
        if phase == "queue":
            step = job.script.queue_s / (job.script.positions + 1)
            position = max(0, job.script.positions - int(into / step)) if step else 0
            return 202, {**body, "status": "IN_QUEUE", "queue_position": position}
        logs = self._logs(job, into if phase == "run" else None)
        if phase == "run":
            return 202, {**body, "status": "IN_PROGRESS", "logs": logs if with_logs else None, "metrics": {}}
        done = {**body, "status": "COMPLETED", "logs": logs if with_logs else None,
                "metrics": {"inference_time": job.script.run_s}}
        if job.script.error:
            done["error"], done["error_type"] = job.script.error
        return 200, done

    def _logs(self, job: Job, into: float | None) -> list[dict]:
        """The lines logged so far; entries carry only timestamp, message and labels, as fal's transcripts show."""
        messages = job.script.logs
        if into is not None and not job.script.hold:
            count = min(len(messages), int(into / (job.script.run_s / (len(messages) + 1))))
        else:
            count = len(messages) if into is None else min(len(messages), 1 + int(into / 0.5))
        stamp = datetime.now(timezone.utc).isoformat()
        return [{"timestamp": stamp, "message": m, "labels": {}} for m in messages[:count]]

    def result(self, job: Job):
        phase, _ = job.phase(time.monotonic())
        if job.script.result_fault:
            return job.script.result_fault
        if job.cancelled:
            return 499, {"detail": "Request was cancelled by the client", "error_type": "client_cancelled"}, {}
        if job.script.error:
            return 500, {"detail": job.script.error[0], "error_type": job.script.error[1]}, {}
        if phase != "done":
            return 400, {"detail": "Request is still in progress"}, {}
        if job.endpoint_id in JUDGES:
            return self.judged(job)
        name = f"{job.request_id}.mp4"
        seed = job.script.seed if job.script.seed is not None else job.body.get("seed", 42)
        headers = {"x-fal-request-id": job.request_id}
        if job.script.billable_units is not None:
            headers["x-fal-billable-units"] = job.script.billable_units
        if job.script.served_from:
            headers["x-fal-served-from"] = job.script.served_from
        return 200, {"video": {"url": f"{self.base_url}/files/{name}", "content_type": "video/mp4",
                               "file_name": name, "file_size": len(self.video)}, "seed": seed}, headers

    def judged(self, job: Job):
        """A judge's answer: its text, or the 422 its model gives an input it cannot take (billed, as 422s are)."""
        headers = {"x-fal-request-id": job.request_id}
        if job.script.billable_units is not None:
            headers["x-fal-billable-units"] = job.script.billable_units
        problems = judge_input_problems(job.endpoint_id, job.body)
        if problems:
            return 422, {"detail": problems}, headers
        if callable(job.script.answer):
            return 200, {"output": job.script.answer(job.body)}, headers
        return 200, {"output": job.script.output if job.script.output is not None else JUDGE_ANSWER}, headers

    def cancel(self, job: Job):
        if job.phase(time.monotonic())[0] == "done" and not job.cancelled:
            return 400, {"status": "ALREADY_COMPLETED"}, {}
        if not job.cancelled:
            job.logs_at_cancel = len(self._logs(job, job.phase(time.monotonic())[1]))
        job.cancelled = True
        return 202, {"status": "CANCELLATION_REQUESTED"}, {}

    def start_timed_out(self):
        """fal's answer when no runner started within the submit's X-Fal-Request-Timeout."""
        return 504, {"detail": "Request timed out", "error_type": "request_timeout"}, {
            "X-Fal-Request-Timeout-Type": "user", "X-Fal-Error-Type": "request_timeout"}

    def pricing(self, ids: list[str]):
        """fal's pricing API: the unit and unit price of 1 to 50 endpoints."""
        if not 1 <= len(ids) <= 50:
            return 400, {"detail": "endpoint_id takes 1 to 50 ids"}, {}
        prices = [{"endpoint_id": i, **self.prices[i]} for i in ids if i in self.prices]
        return 200, {"prices": prices, "next_cursor": None, "has_more": False}, {}

    def media(self, name: str):
        if name in self.uploads:
            return 200, self.uploads[name], {"Content-Type": "application/octet-stream"}
        job = self.jobs.get(name.removesuffix(".mp4"))
        if job is None or job.script.video_missing:
            return 404, {"detail": "Not Found"}, {}
        return 200, self.video, {"Content-Type": "video/mp4"}

    def upload(self, data: bytes, content_type: str):
        ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(content_type, "bin")
        name = f"up-{uuid.uuid4().hex[:12]}.{ext}"
        self.uploads[name] = data
        return 200, {"access_url": f"{self.base_url}/files/{name}"}, {}

    def initiate_upload(self, body: bytes, storage_type: str):
        """fal's storage REST: a signed URL to PUT the file to and the URL it will be served at (reference §10)."""
        if storage_type not in STORAGE_TYPES:
            return 400, {"detail": f"Unknown storage_type {storage_type!r}"}, {}
        try:
            asked = json.loads(body or b"null")
        except ValueError:
            asked = None
        missing = [key for key in ("content_type", "file_name")
                   if not isinstance(asked, dict) or not isinstance(asked.get(key), str) or not asked[key]]
        if missing:
            return 422, {"detail": [{"loc": ["body", key], "msg": "field required", "type": "missing"}
                                    for key in missing]}, {}
        safe_name = re.sub(r"[^\w.-]", "_", asked["file_name"], flags=re.ASCII)[-64:]
        name = f"up-{uuid.uuid4().hex[:12]}-{safe_name}"
        signature = uuid.uuid4().hex
        with self.lock:
            self.signed[name] = (asked["content_type"], signature)
        return 200, {"upload_url": f"{self.base_url}/storage/signed/{name}?signature={signature}",
                     "file_url": f"{self.base_url}/files/{name}"}, {}

    def signed_put(self, name: str, signature: str, data: bytes):
        """The PUT to an upload_url: its signature is the whole credential; the bytes are served at file_url."""
        with self.lock:
            expected = self.signed.get(name)
            if expected is None or signature != expected[1]:
                return 403, {"detail": "Invalid or expired upload signature"}, {}
            self.uploads[name] = data
        return 200, b"", {"Content-Type": "text/plain"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    owner: FakeFal

    def log_message(self, *args) -> None:  # quiet: tests read FakeFal.requests instead
        pass

    def _reply(self, status: int, body, headers: dict | None = None, trickle: bool = False) -> None:
        data = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not trickle:
            self.wfile.write(data)
            return
        try:  # one byte at a time: a read timeout never fires, only a bound on the whole body helps
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(TRICKLE_S)
        except OSError:
            self.close_connection = True

    def _hang(self) -> None:
        """Answer nothing until the client hangs up (or HANG_LIMIT_S passes)."""
        self.close_connection = True
        deadline = time.monotonic() + HANG_LIMIT_S
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.2)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return  # the client closed the connection
                except OSError:
                    return
                time.sleep(0.2)

    def _stream(self, job: Job, with_logs: bool) -> None:
        """Send the job's status whenever it changes, as fal's status stream does, until COMPLETED: each event a whole
        status whose logs are only the lines new since the last event; ": ping" comments while nothing changes."""
        fake = self.owner
        with fake.lock:
            job.streams += 1
        if not job.script.stream:
            return self._reply(404, {"detail": "Not Found"})
        if job.script.start_timeout_hit:
            return self._reply(*fake.start_timed_out())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent, last, quiet, lines_sent = 0, None, time.monotonic(), 0
        try:
            while True:
                _, status = fake.status(job, with_logs)
                signature = (status["status"], status.get("queue_position"), len(status.get("logs") or []))
                if signature != last:
                    every = status.get("logs") or []
                    event = {**status, "logs": every[lines_sent:]} if "logs" in status else status
                    lines_sent = len(every)
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    last, sent, quiet = signature, sent + 1, time.monotonic()
                    if status["status"] == "COMPLETED":
                        return
                    if job.script.drop_stream_after is not None and sent >= job.script.drop_stream_after:
                        return self._drop()
                elif time.monotonic() - quiet > 1.0:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                    quiet = time.monotonic()
                time.sleep(0.02)
        except OSError:  # the client went away
            return

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        fake = self.owner
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        now = time.monotonic()
        authorization = self.headers.get("Authorization", "")
        body = self._body()
        with fake.lock:
            fake.requests.append(Seen(self.command, path, parts.query, authorization, now, len(body),
                                      {k.lower(): v for k, v in self.headers.items()}, body))
        if path == "/api/openapi/queue/openapi.json" and self.command == "GET":
            document = fake.openapi.get(query.get("endpoint_id", [""])[0])
            return self._reply(200, document) if document else self._reply(404, {"detail": "Not found"})
        if path.startswith("/files/") and self.command == "GET":
            name = path.removeprefix("/files/")
            with fake.lock:
                job = fake.jobs.get(name.removesuffix(".mp4"))
            if job and "video" in job.script.hang:
                return self._hang()
            return self._reply(*fake.media(name), trickle=bool(job and "video" in job.script.trickle))
        if path == "/storage/auth/token" and self.command == "POST":
            expires = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
            return self._reply(200, {"token": "cdn-token", "token_type": "Bearer", "base_url": fake.base_url,
                                     "expires_at": expires})
        if path == "/files/upload" and self.command == "POST":
            return self._reply(*fake.upload(body, self.headers.get("Content-Type", "")))
        if (signed := SIGNED_PUT.match(path)) and self.command == "PUT":
            return self._reply(*fake.signed_put(signed["name"], query.get("signature", [""])[0], body))
        if not authorization.startswith("Key "):
            return self._reply(401, {"detail": "No credentials were provided"})
        if path == "/storage/upload/initiate" and self.command == "POST":
            return self._reply(*fake.initiate_upload(body, query.get("storage_type", [""])[0]))
        if path == "/v1/models/pricing" and self.command == "GET":
            ids = [i for part in query.get("endpoint_id", []) for i in part.split(",") if i]
            return self._reply(*fake.pricing(ids))
        match = REQUEST_PATH.match(path)
        if match is None and self.command == "POST":
            answer = fake.submit(path.lstrip("/"), json.loads(body or b"{}"), authorization, now)
            with fake.lock:
                job = fake.jobs.get(answer[1].get("request_id", "")) if isinstance(answer[1], dict) else None
            if job and job.script.submit_drop:
                return self._drop()  # fal has the job; the client never hears of it
            if job and "submit" in job.script.hang:
                return self._hang()
            return self._reply(*answer)
        if match is None:
            return self._reply(404, {"detail": f"Unknown path {path}"})
        with fake.lock:
            job = fake.jobs.get(match["id"])
        if job is None or job.app != match["app"]:
            return self._reply(404, {"detail": "Request not found"})
        op = match["op"]
        kind = {"/status/stream": "stream", "/status": "status", "/cancel": "cancel", None: "result"}[op]
        if kind in job.script.hang:
            return self._hang()
        if job.script.start_timeout_hit and kind in ("status", "result"):
            return self._reply(*fake.start_timed_out())
        if op == "/status/stream" and self.command == "GET":
            return self._stream(job, query.get("logs", ["0"])[0] in ("true", "1"))
        if op == "/status" and self.command == "GET":
            with fake.lock:
                job.status_requests += 1
                count = job.status_requests
            if count in job.script.drop_status:
                return self._drop()
            return self._reply(*fake.status(job, query.get("logs", ["false"])[0] in ("true", "1")))
        if op == "/cancel" and self.command == "PUT":
            return self._reply(*fake.cancel(job))
        if op is None and self.command == "GET":
            return self._reply(*fake.result(job), trickle="result" in job.script.trickle)
        return self._reply(405, {"detail": "Method not allowed"})

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()


if __name__ == "__main__":  # a fake fal in its own process, for load benchmarks: prints its env as JSON
    import argparse
    import sys
    import tempfile

    parser = argparse.ArgumentParser(description="Serve a fake fal.ai on loopback until killed.")
    parser.add_argument("--queue-s", type=float, default=1.0)
    parser.add_argument("--run-s", type=float, default=4.0)
    options = parser.parse_args()
    fake = FakeFal(Path(tempfile.mkdtemp(prefix="fake-fal-"))).start()
    fake.reset(Script(queue_s=options.queue_s, run_s=options.run_s, logs=("loading", "denoising", "encoding")))
    print(json.dumps(fake.env()), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)
