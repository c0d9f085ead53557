"""Reading a small file from a folder anyone could have written to: every kind of file that is not a small regular
one is refused with its reason, promptly (a named pipe never makes the reader wait), and the examples gallery uses
the same reader at start-up."""

import json
import os
import socket
import threading

import pytest

from playground import small_files
from playground.small_files import SmallFileError, read_small_bytes, read_small_text

LIMIT = 64  # bytes, for these tests


def promptly(call, seconds=5.0):
    """``call()``'s result or exception, failing (not hanging) when it takes longer than ``seconds`` — a blocked open
    of a named pipe stays in its daemon thread."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pytest.fail(f"still waiting after {seconds} s: the read blocked")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def release_pipes(folder):
    """Open every named pipe under ``folder`` for writing once, so a reader stuck on one (a regression) wakes up."""
    for path in folder.rglob("*"):
        if path.is_fifo():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass  # nobody was waiting on it


@pytest.fixture
def folder(tmp_path):
    yield tmp_path
    release_pipes(tmp_path)


def make_fifo(path):
    os.mkfifo(path)


def make_socket(path):
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def make_sparse(path, size):
    with open(path, "wb") as handle:
        handle.truncate(size)  # takes no disk space


def make_link_to_fifo(path):
    os.mkfifo(path.parent / "pipe")
    path.symlink_to(path.parent / "pipe")


# (what is at the path, how to make it, the reason the reader gives)
REFUSED = [
    ("a named pipe (FIFO)", make_fifo, "is a named pipe (FIFO), not a regular file"),
    ("a link to a named pipe", make_link_to_fifo, "is a named pipe (FIFO), not a regular file"),
    ("a link to /dev/zero", lambda p: p.symlink_to("/dev/zero"), "is a character device (like /dev/zero), not a "
                                                                  "regular file"),
    ("a link to /dev/urandom", lambda p: p.symlink_to("/dev/urandom"), "is a character device"),
    ("a socket", make_socket, "is a socket, not a regular file"),
    ("a folder", lambda p: p.mkdir(), "is a folder, not a regular file"),
    ("a dangling link", lambda p: p.symlink_to(p.parent / "nowhere"), "does not exist (or is a link to nothing)"),
    ("nothing", lambda _p: None, "does not exist"),
    ("a link loop", lambda p: p.symlink_to(p), "cannot be read (Too many levels of symbolic links)"),
    ("one byte over the limit", lambda p: p.write_bytes(b"x" * (LIMIT + 1)),
     "is 65 bytes; a file here holds at most 64"),
    ("a sparse 10 GB file", lambda p: make_sparse(p, 10 * 2**30), "is 10,737,418,240 bytes"),
    ("Latin-1 bytes", lambda p: p.write_bytes(b'{"name": "caf\xe9"}'), "is not UTF-8 text (byte 13 cannot be read)"),
]


@pytest.mark.parametrize("kind, make, reason", REFUSED, ids=[case[0] for case in REFUSED])
def test_what_is_not_a_small_regular_text_file_is_refused_promptly_with_its_reason(folder, kind, make, reason):
    path = folder / "preset.json"
    make(path)
    with pytest.raises(SmallFileError) as caught:
        promptly(lambda: read_small_text(path, LIMIT))
    assert reason in caught.value.reason and caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")  # the message names the file


def make_link_to_file(path, text):
    (path.parent / "real.txt").write_text(text)
    path.symlink_to("real.txt")


# (what is at the path, how to make it, the text read)
READ = [
    ("a small UTF-8 file", lambda p: p.write_text("Мой пресет 🎬", encoding="utf-8"),
     "Мой пресет 🎬"),
    ("exactly the limit", lambda p: p.write_bytes(b"y" * LIMIT), "y" * LIMIT),
    ("an empty file", lambda p: p.write_bytes(b""), ""),
    ("a link to a small file", lambda p: make_link_to_file(p, "real"), "real"),
    ("every line break", lambda p: p.write_bytes("a\nb\rc\r\nd\ve\ff\x1cg\x85h\u2028i\u2029j".encode()),
     "a\nb\rc\r\nd\ve\ff\x1cg\x85h\u2028i\u2029j"),
]


@pytest.mark.parametrize("kind, make, text", READ, ids=[case[0] for case in READ])
def test_a_small_regular_file_is_read_whole_and_exactly(folder, kind, make, text):
    path = folder / "preset.json"
    make(path)
    assert promptly(lambda: read_small_text(path, LIMIT)) == text


def test_a_pipe_swapped_in_after_the_first_look_is_caught_on_the_open_file_without_waiting(folder, monkeypatch):
    """The kind is looked at before opening and again on what was opened: here the first look is fooled (as if the
    file were swapped for a pipe in between), and the open must neither wait for a writer nor read."""
    regular = folder / "regular.json"
    regular.write_text("{}")
    pipe = folder / "pipe.json"
    os.mkfifo(pipe)
    real_stat = os.stat
    monkeypatch.setattr(small_files.os, "stat", lambda path, *a, **k: real_stat(regular) if str(path) == str(pipe)
                        else real_stat(path, *a, **k))
    with pytest.raises(SmallFileError, match="named pipe"):
        promptly(lambda: read_small_text(pipe, LIMIT))


def test_a_file_that_grows_while_read_is_cut_at_the_limit_and_refused(folder, monkeypatch):
    path = folder / "growing.json"
    path.write_bytes(b"z" * (LIMIT * 3))
    real_fstat, real_stat = os.fstat, os.stat

    def small(result):  # the size as it was when first looked at
        fields = list(result)
        fields[6] = LIMIT  # st_size
        return os.stat_result(fields)

    monkeypatch.setattr(small_files.os, "stat", lambda p, *a, **k: small(real_stat(p, *a, **k)))
    monkeypatch.setattr(small_files.os, "fstat", lambda fd: small(real_fstat(fd)))
    read = []
    real_read = os.read
    monkeypatch.setattr(small_files.os, "read", lambda fd, n: read.append(n) or real_read(fd, n))
    with pytest.raises(SmallFileError, match="grew past 64 bytes"):
        read_small_bytes(path, LIMIT)
    assert sum(read) <= LIMIT + 1  # never more than one byte past the limit was asked for


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_a_file_nobody_may_read_is_refused_with_why(folder):
    path = folder / "locked.json"
    path.write_text("{}")
    path.chmod(0)
    with pytest.raises(SmallFileError, match="cannot be opened \\(Permission denied\\)"):
        read_small_text(path, LIMIT)


def test_the_examples_gallery_skips_odd_files_at_start_up_and_renders_over_an_odd_snapshot(folder, catalog):
    from playground.gallery import GALLERY_DIR, Gallery

    source = folder / "gallery"
    source.mkdir()
    (source / "good.json").write_text((GALLERY_DIR / "four-families.json").read_text(encoding="utf-8"))
    os.mkfifo(source / "pipe.json")
    (source / "zero.json").symlink_to("/dev/zero")
    (source / "huge.json").write_bytes(b" " * (2 * 2**20) + b"{}")
    out = folder / "out"
    out.mkdir()
    gallery = promptly(lambda: Gallery(catalog, out, source))
    assert [example["name"] for example in gallery.examples] == ["good"]
    os.mkfifo(out / "good.json")  # where its rendered snapshot goes
    assert promptly(lambda: gallery.snapshot("good")) is None  # so it is rendered again, over the pipe
    (out / "good.json").unlink()
    (out / "good.json").write_text(json.dumps({"cells": []}))
    assert gallery.snapshot("good") == {"cells": []}
