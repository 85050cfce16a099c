"""Politeness per host: at most `per_host` requests at once, started at least a delay apart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """The host a URL's requests count against: its lowercased name, plus an explicit port.

    http and https of one name are one server. An explicit port is kept so that services on
    different ports of one machine (the loopback demo and tests) are limited apart.
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or ""
    return f"{host}:{port}" if port else host


@dataclass
class _Host:
    wakeup: threading.Condition
    running: int = 0
    last_start: float | None = None


class HostThrottle:
    """Blocks each request until its host has a free slot and the delay since the last start passed.

    Thread-safe: one lock for all hosts, one condition per host, so a release wakes only the
    threads waiting for that host. Waiting for the delay happens outside the lock through
    `sleep`, so tests can drive a fake clock.
    """

    def __init__(
        self,
        *,
        per_host: int = 2,
        min_delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        key: Callable[[str], str] = host_key,
    ) -> None:
        if per_host < 1:
            raise ValueError(f"per_host must be at least 1, got {per_host}")
        self.per_host = per_host
        self.min_delay = min_delay
        self._clock = clock
        self._sleep = sleep
        self._key = key
        self._lock = threading.Lock()
        self._hosts: dict[str, _Host] = {}

    @contextmanager
    def slot(self, url: str, delay: float | None = None) -> Iterator[None]:
        """Hold one of the host's slots while the body runs.

        `delay` is the host's robots.txt Crawl-delay, if any; the larger of it and `min_delay`
        must pass between the starts of two requests to the host.
        """
        host = self._acquire(self._key(url), max(self.min_delay, delay or 0.0))
        try:
            yield
        finally:
            with self._lock:
                host.running -= 1
                host.wakeup.notify()

    def _acquire(self, key: str, gap: float) -> _Host:
        while True:
            with self._lock:
                host = self._hosts.get(key)
                if host is None:
                    host = self._hosts[key] = _Host(threading.Condition(self._lock))
                while host.running >= self.per_host:
                    host.wakeup.wait()
                now = self._clock()
                wait = 0.0 if host.last_start is None else host.last_start + gap - now
                if wait <= 0:
                    host.running += 1
                    host.last_start = now
                    return host
            self._sleep(wait)
