"""Snippets: runnable shapes, the $FAL_KEY placeholder, never a key or an inline file."""

import json
import shlex

from conftest import data_uri, image_bytes
from playground.snippets import snippets

ARGS = {"prompt": "it's a \"test\"", "image_url": data_uri(image_bytes(40, 40)), "camera_fixed": True, "seed": None}


def test_snippets_use_placeholders():
    out = snippets("fal-ai/bytedance/seedance/v1/pro/fast/image-to-video", ARGS)
    compile(out["python"], "snippet.py", "exec")
    assert "FAL_KEY" in out["python"] and "FAL_KEY" in out["javascript"] and '"Authorization: Key $FAL_KEY"' in out["curl"]
    for text in out.values():
        assert "base64,iVBOR" not in text and "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video" in text
    body = json.loads(shlex.split(out["curl"].split("-d ", 1)[1])[0])
    assert body["prompt"] == ARGS["prompt"] and body["camera_fixed"] is True
