"""CPU work that would hold up the serving process (decoding a video to measure it) run in a worker process.

One ``Offload`` per app object: its pool of spawned workers is made on first use and lives until ``close()``,
except that after ``tasks_per_worker`` calls the next call goes to a fresh pool while the old one finishes its calls
and exits, so whatever FFmpeg leaks stays bounded. (Not ``max_tasks_per_child``: in Python 3.11 a pool whose worker
retires with calls still queued never starts its replacement, and every later call waits forever — the app's clips
stayed "running" after the first hundred; tests/test_offload.py shows it.) A worker that dies (killed, out of
memory, FFmpeg crashing on a hostile file) breaks the pool; the pool is then made again once and the call retried.
The worker is a fresh interpreter that imports only what the function needs: the parent's main script is not re-run
there (multiprocessing's spawn would re-run ``app.py``, which builds the whole Gradio app at import), so the function
must live in an importable module, not in the main script.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import multiprocessing.context
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")

WORKERS = 1
TASKS_PER_WORKER = 50  # a pool is replaced after this many calls, so whatever FFmpeg leaks stays bounded


class Offload:
    """Runs picklable functions in worker processes, awaited from the event loop."""

    def __init__(self, workers: int = WORKERS, tasks_per_worker: int = TASKS_PER_WORKER) -> None:
        self.workers, self.tasks_per_worker = workers, tasks_per_worker
        self._pool: ProcessPoolExecutor | None = None
        self._given = 0  # calls handed to the current pool
        self._closed = False
        self._lock = threading.Lock()  # calls may come from several event loops' threads

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker; its exception, if it raises, arrives as itself. BrokenProcessPool if the
        worker dies twice in a row on this call."""
        try:
            return await self._submit(fn, args)
        except BrokenProcessPool:  # the worker died: a fresh pool, and once more
            return await self._submit(fn, args)

    def close(self) -> None:
        """Stop the workers (a call under way finishes first); later calls are refused. Safe to call again."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    async def _submit(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        pool = self._current_pool()
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            self._discard(pool)
            raise

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("this Offload is closed")
            if self._pool is not None and self._given >= self.tasks_per_worker:
                self._pool.shutdown(wait=False)  # retired: its calls under way finish, then its workers exit
                self._pool = None
            if self._pool is None:
                self._pool = ProcessPoolExecutor(self.workers, mp_context=_spawn_context(), initializer=exit_with_parent,
                                                 initargs=(os.getpid(),))
                self._given = 0
            self._given += 1
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Forget a broken pool (unless another call already replaced it)."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)


def exit_with_parent(parent: int) -> None:
    """In each worker: exit once the process that made it is gone. A worker holds both ends of its call queue, so an
    app killed outright (SIGKILL, out of memory) would otherwise leave it waiting on that queue forever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _spawn_context() -> multiprocessing.context.BaseContext:
    return _SpawnWithoutMain() if sys.platform != "win32" else multiprocessing.get_context("spawn")


if sys.platform != "win32":
    from multiprocessing import popen_spawn_posix, reduction, resource_tracker, spawn, util
    from multiprocessing.context import set_spawning_popen

    class _PopenWithoutMain(popen_spawn_posix.Popen):
        """The steps of Python 3.11's ``popen_spawn_posix.Popen._launch``, except that the preparation data sent to
        the child leaves out the parent's main module, so the child does not run it again (tests/test_offload.py
        checks it with a main script that says when it runs)."""

        _fds: list[int]

        def _launch(self, process_obj: BaseProcess) -> None:
            tracker_fd = resource_tracker.getfd()  # starts the tracker if need be, so never None here
            assert tracker_fd is not None
            self._fds.append(tracker_fd)
            prep_data = {key: value for key, value in spawn.get_preparation_data(process_obj.name).items()
                         if key not in ("init_main_from_path", "init_main_from_name")}
            fp = io.BytesIO()
            set_spawning_popen(self)
            try:
                reduction.dump(prep_data, fp)
                reduction.dump(process_obj, fp)
            finally:
                set_spawning_popen(None)
            parent_r = child_w = child_r = parent_w = None
            try:
                parent_r, child_w = os.pipe()
                child_r, parent_w = os.pipe()
                cmd = spawn.get_command_line(tracker_fd=tracker_fd, pipe_handle=child_r)
                self._fds.extend([child_r, child_w])
                self.pid = util.spawnv_passfds(os.fsencode(spawn.get_executable()), cmd, self._fds)
                self.sentinel = parent_r
                with open(parent_w, "wb", closefd=False) as f:
                    f.write(fp.getbuffer())
            finally:
                self.finalizer = util.Finalize(self, _close, [fd for fd in (parent_r, parent_w) if fd is not None])
                for fd in (child_r, child_w):
                    if fd is not None:
                        os.close(fd)

    def _close(*fds: int) -> None:
        for fd in fds:
            os.close(fd)

    class _ProcessWithoutMain(multiprocessing.context.SpawnProcess):
        @staticmethod
        def _Popen(process_obj: BaseProcess) -> _PopenWithoutMain:
            return _PopenWithoutMain(process_obj)

    class _SpawnWithoutMain(multiprocessing.context.SpawnContext):
        Process = _ProcessWithoutMain
