"""Input files kept once each, by content, under ``<data dir>/inputs/<sha256>.<ext>``.

A run sends its images inline (a data URI) or as a URL; its row in the results log must not hold a whole
photo (a spreadsheet cell overflows), so what the log keeps for an inline file is a reference,
``inputs/<sha256>.<ext>``, to the file kept here. Reading the row back turns each reference into the same
data URI again, so restore, re-run and the API rebuild the run exactly. Upload boxes in the UI are read
through here too, once per file, so a preview does not re-read a large photo on every keystroke.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Any

from playground.media import (
    MAX_INPUT_BYTES,
    MediaError,
    decode_data_uri,
    encode_data_uri,
    is_data_uri,
)

REFERENCE = re.compile(r"^inputs/(?P<sha>[0-9a-f]{64})\.(?P<ext>[a-z0-9]{1,8})$")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif", "image/avif": "avif",
              "video/mp4": "mp4", "audio/mpeg": "mp3", "audio/wav": "wav"}
REMEMBERED = 8  # upload files whose data URI is kept in memory (a preview re-reads the form on every keystroke)


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and REFERENCE.match(value) is not None


def _extension(mime: str) -> str:
    return EXTENSIONS.get(mime) or (mimetypes.guess_extension(mime) or ".bin").lstrip(".").lower()[:8] or "bin"


class Inputs:
    """The store of kept input files for one data directory."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._read: OrderedDict[tuple[str, int, int], str] = OrderedDict()

    def keep(self, data: bytes, mime: str) -> str:
        """Keep ``data`` (once per content) and return its reference."""
        reference = f"inputs/{hashlib.sha256(data).hexdigest()}.{_extension(mime)}"
        path = self.path(reference)
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            # a temporary name of its own: two writers (threads, replicas on one folder) keeping the same upload
            # each write whole and rename; whichever lands last, the content is the same
            temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
            temporary.write_bytes(data)
            temporary.replace(path)
        return reference

    def path(self, reference: str) -> Path:
        match = REFERENCE.match(reference)
        if match is None:
            raise ValueError(f"not an input reference: {reference!r}")
        return self.directory / f"{match['sha']}.{match['ext']}"

    def kept_file(self, data_uri: str) -> Path:
        """The kept file holding a data URI's bytes (a restored upload box shows it)."""
        mime, data = decode_data_uri(data_uri)
        return self.path(self.keep(data, mime))

    def to_references(self, value: Any) -> Any:
        """Arguments as the log keeps them: every data URI kept here and replaced by its reference."""
        if isinstance(value, dict):
            return {name: self.to_references(item) for name, item in value.items()}
        if isinstance(value, list):
            return [self.to_references(item) for item in value]
        if isinstance(value, str) and is_data_uri(value):
            try:
                mime, data = decode_data_uri(value)
            except MediaError:
                return value  # not a file we could keep: logged as it was sent
            return self.keep(data, mime)
        return value

    def to_data_uris(self, value: Any) -> Any:
        """Arguments as they were sent: every reference to a kept file inlined again (unknown ones left as they are)."""
        if isinstance(value, dict):
            return {name: self.to_data_uris(item) for name, item in value.items()}
        if isinstance(value, list):
            return [self.to_data_uris(item) for item in value]
        if is_reference(value):
            path = self.path(value)
            if path.is_file():
                mime = next((m for m, ext in EXTENSIONS.items() if ext == path.suffix.lstrip(".")),
                            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
                return encode_data_uri(path.read_bytes(), mime)
        return value

    def file_data_uri(self, path: str | Path) -> str:
        """An uploaded file as a data URI, refusing files over the input limit before reading them (cached)."""
        path = Path(path)
        stat = path.stat()
        if stat.st_size > MAX_INPUT_BYTES:
            raise MediaError(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
        slot = (str(path), stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if slot in self._read:
                self._read.move_to_end(slot)
                return self._read[slot]
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        value = encode_data_uri(path.read_bytes(), mime)
        with self._lock:
            self._read[slot] = value
            while len(self._read) > REMEMBERED:
                self._read.popitem(last=False)
        return value
