"""The app as users start it (`python app.py`) in a child process, for tests that kill it or read its console."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppProcess:
    """Start, wait for the first HTTP 200, kill with SIGKILL or stop; the console goes to ``log_path``."""

    def __init__(self, data_dir: Path, env: dict[str, str], log_path: Path, prefix: tuple[str, ...] = ()):
        """``prefix``: a command the app runs under (e.g. a mount namespace whose script ends ``exec "$@"``)."""
        self.data_dir, self.extra_env, self.log_path = Path(data_dir), env, Path(log_path)
        self.prefix = tuple(prefix)
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, timeout_s: float = 90, port: int = 0) -> "AppProcess":
        self.port = port or free_port()
        env = {**os.environ, "PLAYGROUND_DATA_DIR": str(self.data_dir), "GRADIO_SERVER_NAME": "127.0.0.1",
               "GRADIO_SERVER_PORT": str(self.port), "PYTHONUNBUFFERED": "1", **self.extra_env}
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([*self.prefix, sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the app exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the app did not answer within {timeout_s} s:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the app."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, timeout_s: float = 90) -> "AppProcess":
        """Stop and start again on the same port: what a page left open across a restart meets."""
        port = self.port
        self.stop()
        return self.start(timeout_s, port)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=10) as response:
            return response.read().decode("utf-8", "replace")
