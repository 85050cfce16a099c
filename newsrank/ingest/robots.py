"""robots.txt honoured per RFC 9309, parsed by protego and cached per origin.

What a robots.txt fetch means (RFC 9309 §2.3.1, §2.4):

    2xx            parse it (the first 500 KiB, §2.5)            kept for `ttl` (24 h)
    3xx            the fetch function follows redirects; one
                   still unresolved is "unavailable" (§2.3.1.2)  → everything allowed, `ttl`
    4xx            unavailable (§2.3.1.3)                        → everything allowed, `ttl`
    429, 5xx,      unreachable (§2.3.1.4)                        → everything disallowed, or the
    no answer                                                      previous rules if any, retried
                                                                   after `retry` (10 min)
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from protego import Protego

log = logging.getLogger(__name__)

Fetch = Callable[[str], tuple[int, bytes] | None]

MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: crawlers must parse at least 500 KiB
# Crawl-delay is not in RFC 9309; a huge value would hold a crawler thread for that long.
MAX_CRAWL_DELAY = 60.0
_ALLOW_ALL = Protego.parse("")
_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /\n")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 9309 §2.2.1: a product token is letters, "_" and "-"; "newsrank/0.1 (+https://…)".
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")


@dataclass(frozen=True)
class _Entry:
    rules: Protego
    expires: float  # on the cache's clock
    fetched: bool  # parsed from a 2xx answer, so worth keeping when a refresh fails


class RobotsCache:
    """Whether a URL may be crawled, from its origin's robots.txt, fetched once per `ttl`.

    `fetch(robots_url)` returns (status code, body) after following redirects, or None when the
    server could not be reached. Thread-safe: threads asking about one origin share one fetch,
    while other origins' fetches go on in parallel.
    """

    def __init__(
        self,
        fetch: Fetch,
        user_agent: str,
        *,
        ttl: timedelta = timedelta(hours=24),
        retry: timedelta = timedelta(minutes=10),
        max_crawl_delay: float = MAX_CRAWL_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        match = _PRODUCT_TOKEN.match(user_agent.strip())
        if not match:
            raise ValueError(f"User-Agent has no product token: {user_agent!r}")
        # Groups are matched on the product token alone (RFC 9309 §2.2.1): the rest of our
        # User-Agent (contact URL, site name) must not select another robot's group.
        self.product_token = match.group().lower()
        self._fetch = fetch
        self._ttl = ttl.total_seconds()
        self._retry = retry.total_seconds()
        self._max_crawl_delay = max_crawl_delay
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._loading: dict[str, threading.Lock] = {}

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`; False for a URL that is not http(s)."""
        rules = self._rules(url)
        return rules is not None and rules.can_fetch(url, self.product_token)

    def crawl_delay(self, url: str) -> float | None:
        """Seconds the origin asks between requests (`Crawl-delay`), capped; None if unset."""
        rules = self._rules(url)
        delay = rules.crawl_delay(self.product_token) if rules is not None else None
        if delay is None or not math.isfinite(delay) or delay <= 0:
            return None
        return min(delay, self._max_crawl_delay)

    def _rules(self, url: str) -> Protego | None:
        origin = _origin(url)
        if origin is None:
            return None
        with self._lock:
            entry = self._entries.get(origin)
            if entry is not None and entry.expires > self._clock():
                return entry.rules
            loading = self._loading.setdefault(origin, threading.Lock())
        with loading:
            with self._lock:  # another thread may have loaded it while we waited
                entry = self._entries.get(origin)
                if entry is not None and entry.expires > self._clock():
                    return entry.rules
            entry = self._load(origin, entry)  # network, outside the shared lock
            with self._lock:
                self._entries[origin] = entry
        return entry.rules

    def _load(self, origin: str, previous: _Entry | None) -> _Entry:
        robots_url = f"{origin}/robots.txt"
        try:
            answer = self._fetch(robots_url)
        except Exception:  # a bug in fetch must not stop the crawl; it counts as unreachable
            log.exception("fetching %s failed", robots_url)
            answer = None
        status = answer[0] if answer else None
        now = self._clock()
        if status is not None and 200 <= status < 300:
            return _Entry(_parse(answer[1]), now + self._ttl, fetched=True)
        if status is not None and 300 <= status < 500 and status != 429:
            return _Entry(_ALLOW_ALL, now + self._ttl, fetched=False)
        # Unreachable (429 as well, as Google's crawler treats it): RFC 9309 §2.4 lets a cached
        # copy outlive 24 h in that case, so previous rules beat disallowing everything.
        log.info("%s unreachable (%s); retrying in %g s", robots_url, status, self._retry)
        rules = previous.rules if previous is not None and previous.fetched else _DISALLOW_ALL
        return _Entry(rules, now + self._retry, fetched=previous is not None and previous.fetched)


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, the scope of one robots.txt (RFC 9309 §2.3)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def _parse(body: bytes) -> Protego:
    """Parse the first MAX_BYTES of a robots.txt, cut at a line end (RFC 9309 §2.5).

    Cutting inside a line could turn `Allow: /news/sports` into `Allow: /`.
    """
    if len(body) > MAX_BYTES:
        body = body[:MAX_BYTES]
        body = body[: body.rfind(b"\n") + 1]
    # RFC 9309 §2.3: UTF-8; stray bytes (a cp949 comment) must not make the file unreadable.
    return Protego.parse(body.decode("utf-8-sig", errors="replace"))
