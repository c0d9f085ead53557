"""Copyable client code for a request: Python (fal_client), JavaScript (@fal-ai/client) and cURL.

Each one, run as it is with its own client, sends exactly the request JSON the tab shows, whatever the prompt
holds: the arguments are written as a Python literal (``pprint``), as JSON (which is JavaScript), and as one
single-quoted shell word (``shlex``) — never by editing JSON text. The key is always the ``$FAL_KEY``
placeholder (read from the environment); inline files are shown as placeholders, never pasted.
"""

from __future__ import annotations

import json
import pprint
import shlex
from pathlib import Path
from typing import Any

from playground.media import is_data_uri, is_http_url


def display_value(value: Any) -> Any:
    """A request value fit to show: data URIs and local uploads become short placeholders."""
    if isinstance(value, list):
        return [display_value(v) for v in value]
    if isinstance(value, str) and is_data_uri(value):
        head = value.split(",", 1)[0]
        return f"{head},…({len(value):,} characters; upload it and pass its URL)"
    if isinstance(value, str) and value.startswith("/") and not is_http_url(value):
        return f"<your uploaded {Path(value).name}: pass a public URL or fal_client.upload_file(...)>"
    return value


def display_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: display_value(value) for name, value in arguments.items()}


def python_literal(arguments: dict[str, Any]) -> str:
    """The arguments as a Python dict literal, one field a line (each value exactly as Python reads it back)."""
    lines = [f"        {name!r}: {pprint.pformat(value, width=10**9)}," for name, value in arguments.items()]
    return "{\n" + "\n".join(lines) + "\n    }" if lines else "{}"


def python_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    args = python_literal(display_arguments(arguments))
    return (
        "# pip install fal-client   # reads your key from the FAL_KEY environment variable\n"
        "import fal_client\n\n"
        f"result = fal_client.subscribe(\n    {endpoint_id!r},\n    arguments={args},\n"
        "    with_logs=True,\n"
        "    on_queue_update=lambda update: print(update),\n)\n"
        'print(result["video"]["url"], result["seed"])\n')


def javascript_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    args = json.dumps(display_arguments(arguments), indent=2, ensure_ascii=False).replace("\n", "\n  ")
    return (
        '// npm install @fal-ai/client   // set FAL_KEY in the environment (server side only)\n'
        'import { fal } from "@fal-ai/client";\n\n'
        f'const result = await fal.subscribe("{endpoint_id}", {{\n  input: {args},\n  logs: true,\n'
        '  onQueueUpdate: (update) => console.log(update.status),\n});\n'
        'console.log(result.data.video.url, result.data.seed);\n')


def curl_snippet(endpoint_id: str, arguments: dict[str, Any]) -> str:
    body = json.dumps(display_arguments(arguments), ensure_ascii=False)
    return (
        "# submit to fal's queue; then GET the status_url and response_url it returns (same header)\n"
        f"curl -X POST 'https://queue.fal.run/{endpoint_id}' \\\n"
        '  -H "Authorization: Key $FAL_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        f"  -d {shlex.quote(body)}\n")


def snippets(endpoint_id: str, arguments: dict[str, Any]) -> dict[str, str]:
    return {"python": python_snippet(endpoint_id, arguments),
            "javascript": javascript_snippet(endpoint_id, arguments),
            "curl": curl_snippet(endpoint_id, arguments)}
