"""Offload: the work runs in another process, a dead worker is replaced, an exception arrives as itself, close() can
be called twice, and the worker imports only what the work needs (it does not re-run the main script, which for
the app builds the whole Gradio app)."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from playground.media import MediaError
from playground.offload import Offload
from playground.signals import measure

ROOT = Path(__file__).resolve().parent.parent


def killed_once(marker: str) -> int:
    """Dies the first time, as a worker the kernel kills would; the pid of the worker the second time."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def always_killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def loaded_modules() -> list[str]:
    return sorted(sys.modules)


@pytest.fixture
def offload():
    offload = Offload()
    yield offload
    offload.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    from playground.render import ClipSpec, write_clip  # here, so a worker importing this module does not load it

    return write_clip(ClipSpec(320, 180, 24, 24, 1, "offloaded", sound=True), tmp_path_factory.mktemp("c") / "c.mp4")


def test_measure_runs_in_another_process(offload, clip):
    async def go():
        return await offload.run(os.getpid), await offload.run(measure, clip)

    worker, measured = asyncio.run(go())
    assert worker != os.getpid()
    assert measured == measure(clip)


def test_many_calls_at_once_all_finish_as_pools_are_retired_and_replaced():
    """Five times ``tasks_per_worker`` calls at once (Python 3.11's own ``max_tasks_per_child`` stalled after the
    first worker's share): every one answers, from several workers in turn."""
    offload = Offload(tasks_per_worker=3)

    async def go():
        return await asyncio.wait_for(asyncio.gather(*(offload.run(os.getpid) for _ in range(15))), timeout=120)

    try:
        pids = asyncio.run(go())
    finally:
        offload.close()
    assert len(pids) == 15 and os.getpid() not in pids
    assert len(set(pids)) >= 5  # a fresh pool every 3 calls


PARENT = """
import asyncio, os, sys
sys.path.insert(0, sys.argv[1])
from playground.offload import Offload
offload = Offload()
print(asyncio.run(offload.run(os.getpid)), flush=True)
sys.stdin.read()
"""


def test_a_worker_exits_when_the_app_that_made_it_is_killed(tmp_path):
    """An app killed outright (SIGKILL) must not leave its worker behind, waiting on a queue it holds both ends of."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    worker = int(parent.stdout.readline())
    assert Path(f"/proc/{worker}").exists()
    parent.kill()
    parent.wait()
    for _ in range(100):
        if not Path(f"/proc/{worker}").exists() or "Z" in Path(f"/proc/{worker}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail(f"worker {worker} outlived its app by 10 s")


def test_a_killed_worker_is_replaced_and_the_call_succeeds(offload, clip):
    async def go():
        first = await offload.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        return first, await offload.run(measure, clip), await offload.run(os.getpid)

    first, measured, second = asyncio.run(go())
    assert measured.probe.frames == 24 and second not in (first, os.getpid())


def test_a_call_whose_worker_dies_is_retried_once_on_a_new_worker(offload, tmp_path):
    marker = tmp_path / "died once"
    worker = asyncio.run(offload.run(killed_once, str(marker)))
    assert marker.exists() and worker != os.getpid()


def test_a_call_that_kills_every_worker_fails_and_the_next_call_works(offload):
    with pytest.raises(BrokenProcessPool):
        asyncio.run(offload.run(always_killed))
    assert asyncio.run(offload.run(int, "7")) == 7


@pytest.mark.parametrize("fn, args, error, words", [
    (int, ("seven",), ValueError, "invalid literal"),
    (measure, ("/nonexistent/clip.mp4",), MediaError, "not a readable video"),
])
def test_an_exception_in_the_worker_arrives_as_itself(offload, fn, args, error, words):
    with pytest.raises(error, match=words):
        asyncio.run(offload.run(fn, *args))


def test_close_can_be_called_twice_and_later_calls_are_refused():
    offload = Offload()
    assert asyncio.run(offload.run(int, "3")) == 3
    offload.close()
    offload.close()
    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(offload.run(int, "3"))
    Offload().close()  # never used: nothing to stop


def run_python(program: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, *program.split("\0")], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_offload_loads_neither_pyav_nor_numpy():
    program = "-c\0import sys, playground.offload\nprint(sorted({'av', 'numpy', 'gradio'} & set(sys.modules)))"
    assert run_python(program, ROOT) == "[]"


def test_the_worker_imports_what_the_work_needs_and_never_the_main_script(tmp_path, clip):
    """A main script like app.py: it says each time it runs and imports gradio at the top. Multiprocessing's plain
    spawn would run it again in the worker (gradio and all); Offload's worker must not."""
    ran = tmp_path / "ran"
    script = tmp_path / "main_like_app.py"
    script.write_text(f"""
import sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "tests")!r}]
with open({str(ran)!r}, "a") as said:
    said.write("main ran\\n")
import asyncio
import gradio
from playground.offload import Offload
from playground.signals import measure
from test_offload import loaded_modules

async def go(offload):
    await offload.run(measure, {str(clip)!r})
    return await offload.run(loaded_modules)

if __name__ == "__main__":
    offload = Offload()
    modules = asyncio.run(go(offload))
    offload.close()
    print(" ".join(m for m in modules if m.split(".")[0] in ("gradio", "playground", "av", "numpy")))
""")
    worker_modules = set(run_python(str(script), tmp_path).split())
    assert ran.read_text() == "main ran\n"  # once, in the parent
    assert "gradio" not in worker_modules
    assert {m for m in worker_modules if m.startswith("playground")} == {
        "playground", "playground.media", "playground.offload", "playground.signals"}
    assert {"av", "numpy"} <= worker_modules  # the worker did the measuring
