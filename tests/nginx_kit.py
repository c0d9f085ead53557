"""Debian nginx in front of apps under test, as an operator runs it: the proxy settings the README gives (the host
and scheme forwarded, event streams unbuffered, WebSocket upgrades passed on), in a throwaway prefix of its own."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser_kit import wait

NGINX = "/usr/sbin/nginx"
PROXY = ("proxy_http_version 1.1; proxy_buffering off; proxy_read_timeout 300s; proxy_set_header Host $http_host; "
         "proxy_set_header X-Forwarded-Host $http_host; proxy_set_header X-Forwarded-Proto $scheme; "
         "proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade;")
CONF = """worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
  {access_log}
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
{http}
}}
"""


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running(tmp: Path, http: str, ports: list[int], access_log: str = "access_log {tmp}/access.log;") -> Iterator[None]:
    """nginx with ``http`` (its servers, maps and upstreams; ``PROXY`` to put in each location) inside the common
    settings, until the block ends; it has started once every one of ``ports`` listens."""
    if not os.path.exists(NGINX):
        pytest.fail("Debian nginx is required (scripts/test.sh installs it)")
    conf = tmp / "nginx.conf"
    conf.write_text(CONF.format(tmp=tmp, access_log=access_log.format(tmp=tmp), http=http))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait(lambda: all(listening(port) for port in ports) or nginx.poll() is not None, 20, "nginx to listen")
        assert nginx.poll() is None, (tmp / "error.log").read_text()
        yield
    finally:
        nginx.terminate()
        nginx.wait(10)
