"""What holds rows by lease in PostgreSQL (the journal's runs, the admissions' tickets): a holder id per store
object, lease ends on the database's clock, and one heartbeat thread renewing them every third of the TTL while the
object is open. A process that dies stops renewing, and its leases lapse after the TTL."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Engine, Interval, func, literal


class Leases:
    """The lease machinery; a subclass says what ``renew`` pushes further."""

    thread_name = "leases"

    def __init__(self, engine: Engine, ttl_s: float = 30.0):
        self.engine, self.ttl_s = engine, ttl_s
        self.holder = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def _until(self) -> ColumnElement[datetime]:
        """The end of a lease taken now, on the database's clock (no two machines' clocks are compared)."""
        return func.now() + literal(timedelta(seconds=self.ttl_s), Interval())

    def _beat(self) -> None:
        """Start renewing (call under the lock); one thread per object, for as long as it is open."""
        if self._heartbeat is None and not self._stop.is_set():
            self._heartbeat = threading.Thread(target=self._renew_forever, name=self.thread_name, daemon=True)
            self._heartbeat.start()

    def _renew_forever(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            self.renew()

    def renew(self) -> int:
        """Push every lease this object holds ``ttl_s`` further; how many were renewed."""
        raise NotImplementedError

    def stop_heartbeat(self) -> None:
        """Stop renewing (the leases then lapse after the TTL, as if this process had died)."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
