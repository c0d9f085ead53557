"""Copyable client code for a request: Python (fal_client), JavaScript (@fal-ai/client) and cURL.

Each one, run as it is with its own client, sends exactly the request JSON the tab shows, whatever the prompt
holds: values are written as Python literals (``pprint``), as JSON (which is JavaScript), and inside one
single-quoted shell word (``shlex``) — never by editing JSON text. The key is always the ``$FAL_KEY`` placeholder
(read from the environment). A file that is not a URL (an inline data URI, an upload on this server) is never
pasted: the code names a local file by a path placeholder, uploads it first with the client's own storage call
(fal's documented flows: reference §10) and sends the URL that upload returns, so it runs once the path is set.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import pprint
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from playground.inputs import EXTENSIONS
from playground.media import is_data_uri

FILE_FIELD = re.compile(r"_urls?$")  # fal names its file inputs *_url / *_urls (the catalog reads them so too)
STORAGE_INITIATE = "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3"  # as @fal-ai/client calls it
_MIME = re.compile(r"^[a-z0-9.+-]+/[a-z0-9.+-]+$")
_SUFFIX = re.compile(r"^[a-z0-9]{1,8}$")
_HOLE = "\x00"  # marks an uploaded URL inside JSON text: json.dumps escapes every control character it is given


def is_local_file(value: Any) -> bool:
    """A file fal cannot fetch by itself: an inline data URI or a path to an upload on this server."""
    return isinstance(value, str) and (is_data_uri(value) or value.startswith("/"))


def display_value(value: Any) -> Any:
    """A file value fit to show: data URIs and local uploads become short placeholders."""
    if isinstance(value, list):
        return [display_value(v) for v in value]
    if isinstance(value, str) and is_data_uri(value):
        head = value.split(",", 1)[0]
        return f"{head},…({len(value):,} characters; upload it and pass its URL)"
    if isinstance(value, str) and is_local_file(value):
        return f"<your uploaded {PurePosixPath(value).name}: pass a public URL or fal_client.upload_file(...)>"
    return value


def display_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The request JSON as shown: file fields with placeholders, every other field exactly as it is sent."""
    return {name: display_value(value) if FILE_FIELD.search(name) else value for name, value in arguments.items()}


@dataclass(frozen=True)
class Upload:
    """A local file the code uploads before submitting; ``name`` is the variable holding its URL."""

    name: str  # "image_url", "reference_image_url_2"
    path: str  # the placeholder a person replaces: "path/to/image.png"
    content_type: str

    @property
    def path_variable(self) -> str:
        return f"{self.name.upper()}_FILE"

    @property
    def file_name(self) -> str:
        return PurePosixPath(self.path).name


def _content_type(value: str) -> str:
    mime = value[5:].split(",", 1)[0].split(";", 1)[0] if is_data_uri(value) else mimetypes.guess_type(value)[0]
    mime = (mime or "").strip().lower()
    return mime if _MIME.match(mime) else "application/octet-stream"


def _suffix(value: str, content_type: str) -> str:
    """The placeholder's suffix: the upload's own, else the one its MIME type names (``bin`` when unknown)."""
    own = "" if is_data_uri(value) else PurePosixPath(value).suffix.lstrip(".").lower()
    guessed = EXTENSIONS.get(content_type) or (mimetypes.guess_extension(content_type) or "").lstrip(".")
    return next((s for s in (own, guessed) if _SUFFIX.match(s)), "bin")


class _Planner:
    """Finds the local files among the arguments and names each once (its variable and its path placeholder)."""

    def __init__(self) -> None:
        self.uploads: list[Upload] = []

    def upload(self, value: str, wanted: str) -> Upload:
        content_type = _content_type(value)
        suffix = _suffix(value, content_type)
        names = {u.name for u in self.uploads}
        paths = {u.path for u in self.uploads}
        for n in itertools.count(1):
            name = wanted if n == 1 else f"{wanted}_v{n}"
            path = f"path/to/{re.sub(r'_url(?=(_[0-9]+)?$)', '', name)}.{suffix}"
            if name not in names and path not in paths:
                break
        self.uploads.append(Upload(name, path, content_type))
        return self.uploads[-1]

    def field(self, name: str, value: Any) -> Any:
        if not FILE_FIELD.search(name):
            return value
        base = re.sub(r"[^a-z0-9_]", "_", name.lower())
        base = base if re.match(r"[a-z]", base) else f"file_{base}"
        if is_local_file(value):
            return self.upload(value, base)
        if isinstance(value, list):
            one = base.removesuffix("s")
            return [self.upload(v, f"{one}_{i}") if is_local_file(v) else v for i, v in enumerate(value, 1)]
        return value


def plan(arguments: dict[str, Any]) -> tuple[dict[str, Any], list[Upload]]:
    """The arguments with each local file replaced by its Upload, and those uploads in order."""
    planner = _Planner()
    planned = {name: planner.field(name, value) for name, value in arguments.items()}
    return planned, planner.uploads


def _code(value: Any, literal: Callable[[Any], str], hole: Callable[[Upload], str]) -> str:
    """One value as code: ``literal`` for what is sent as it is, ``hole`` for an uploaded file's URL."""
    if isinstance(value, Upload):
        return hole(value)
    if isinstance(value, list) and any(isinstance(v, Upload) for v in value):
        return "[" + ", ".join(_code(v, literal, hole) for v in value) + "]"
    return literal(value)


def _python(value: Any) -> str:
    return pprint.pformat(value, width=10**9)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def python_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    planned, uploads = plan(arguments)
    lines = [f"        {name!r}: {_code(v, _python, lambda u: u.name)}," for name, v in planned.items()]
    args = "{\n" + "\n".join(lines) + "\n    }" if lines else "{}"
    files = "".join([
        "\n# Your local files: set each path. fal_client.upload_file sends it to fal's storage and returns its URL.\n",
        *(f'{u.path_variable} = "{u.path}"\n' for u in uploads), "\n",
        *(f"{u.name} = fal_client.upload_file({u.path_variable})\n" for u in uploads)]) if uploads else ""
    return (
        "# pip install fal-client   # reads your key from the FAL_KEY environment variable\n"
        f"import fal_client\n{files}\n"
        f"result = fal_client.subscribe(\n    {endpoint_id!r},\n    arguments={args},\n"
        "    with_logs=True,\n"
        "    on_queue_update=lambda update: print(update),\n)\n"
        'print(result["video"]["url"], result["seed"])\n')


def javascript_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    planned, uploads = plan(arguments)
    lines = [f"    {_json(name)}: {_code(v, _json, lambda u: u.name)}" for name, v in planned.items()]
    args = "{\n" + ",\n".join(lines) + "\n  }" if lines else "{}"
    files = "".join([
        'import { readFile } from "node:fs/promises";\nimport { basename } from "node:path";\n\n'
        "// Your local files: set each path. upload() sends a file to fal's storage and returns its URL (Node 20+).\n",
        *(f'const {u.path_variable} = "{u.path}";\n' for u in uploads),
        "\nconst upload = async (path, type) =>\n"
        "  fal.storage.upload(new File([await readFile(path)], basename(path), { type }));\n\n",
        *(f'const {u.name} = await upload({u.path_variable}, {_json(u.content_type)});\n' for u in uploads)
    ]) if uploads else ""
    return (
        '// npm install @fal-ai/client   // set FAL_KEY in the environment (server side only)\n'
        f'import {{ fal }} from "@fal-ai/client";\n{files}\n'
        f'const result = await fal.subscribe({_json(endpoint_id)}, {{\n  input: {args},\n  logs: true,\n'
        '  onQueueUpdate: (update) => console.log(update.status),\n});\n'
        'console.log(result.data.video.url, result.data.seed);\n')


CURL_UPLOAD = f"""\
# fal_upload FILE TYPE NAME: asks fal's storage for an upload URL, PUTs the file there, prints the file's URL
fal_upload() {{
  if [ ! -f "$1" ] || [ ! -r "$1" ]; then echo "cannot read the file $1" >&2; return 1; fi
  fal_answer=$(curl -sS -f -X POST '{STORAGE_INITIATE}' \\
    -H "Authorization: Key $FAL_KEY" -H 'Content-Type: application/json' \\
    -d "{{\\"content_type\\": \\"$2\\", \\"file_name\\": \\"$3\\"}}") || return 1
  fal_put=$(printf '%s\\n' "$fal_answer" | sed -n 's/.*"upload_url": *"\\([^"]*\\)".*/\\1/p')
  fal_url=$(printf '%s\\n' "$fal_answer" | sed -n 's/.*"file_url": *"\\([^"]*\\)".*/\\1/p')
  if [ -z "$fal_put" ] || [ -z "$fal_url" ]; then
    echo "fal storage answered without an upload URL: $fal_answer" >&2; return 1
  fi
  curl -sS -f -X PUT "$fal_put" -H "Content-Type: $2" --data-binary "@$1" > /dev/null && printf '%s\\n' "$fal_url"
}}
"""


def _shell_hole(upload: Upload) -> str:
    return f'"{_HOLE}{upload.name.upper()}{_HOLE}"'


def curl_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    planned, uploads = plan(arguments)
    fields = [f"{_json(name)}: {_code(v, _json, _shell_hole)}" for name, v in planned.items()]
    pieces = ("{" + ", ".join(fields) + "}").split(_HOLE)  # JSON text, variable name, JSON text, …
    body = "".join(shlex.quote(p) if i % 2 == 0 else f'"${p}"' for i, p in enumerate(pieces))
    files = "".join([
        "# A POSIX shell script (needs curl and sed): uploads your local files to fal's storage, then submits.\n"
        "# Your local files: set each path.\n",
        *(f"{u.path_variable}='{u.path}'\n" for u in uploads), "\n", CURL_UPLOAD, "\n",
        *(f'{u.name.upper()}=$(fal_upload "${u.path_variable}" {shlex.quote(u.content_type)} '
          f'{shlex.quote(u.file_name)}) &&\n' for u in uploads)]) if uploads else ""
    return (
        f"{files}# submit to fal's queue; then GET the status_url and response_url it returns (same header)\n"
        f"curl -X POST 'https://queue.fal.run/{endpoint_id}' \\\n"
        '  -H "Authorization: Key $FAL_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        f"  -d {body}\n")


def snippets(endpoint_id: str, arguments: dict[str, Any]) -> dict[str, str]:
    return {"python": python_snippet(endpoint_id, arguments),
            "javascript": javascript_snippet(endpoint_id, arguments),
            "curl": curl_snippet(endpoint_id, arguments)}
