"""HTTP caching for anonymous readers: a server-side page cache, ETag/Last-Modified with 304s, and
Cache-Control that a CDN in front can follow.

Pages are cached whole, per URL, in Django's cache (local memory by default, Redis when REDIS_URL
is set), under keys that include a *generation*: a number the crawler bumps after it stores,
updates, indexes or groups posts (`posts_changed`), and that an admin edit bumps too. A new
generation makes every cached page a miss, so a new post shows on the next request; each process
reads the generation at most once a GENERATION_SECONDS, so "within seconds" holds across processes.

Where the generation lives: in the shared cache when there is one (Redis); with the default
per-process local-memory cache the web processes and the crawler share nothing, so then it is the
modification time of a file in the data folder, which one `stat()` reads.

What is never cached here: requests that carry a session (a signed-in operator sees scores and
admin links, and gets `private, no-store`), the admin, anything not a 200, responses that set a
cookie or say `private`/`no-store` themselves. The article view is served from the cache too, but
its view is still counted: on a hit this middleware counts it, as the view does on a miss.

Cache-Control (RFC 9111 §5.2.2, RFC 5861 for stale-while-revalidate): browsers revalidate after a
few seconds, shared caches keep a page for its TTL and may serve it stale while they refetch. The
article view says `no-cache`, so a CDN revalidates each view with us and the view is counted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse, HttpResponseNotModified

log = logging.getLogger(__name__)

GENERATION_KEY = "newsrank:generation"
GENERATION_FILE = "cache-generation"
GENERATION_SECONDS = 1.0  # how long a process trusts the generation it read
BROWSER_SECONDS = 5  # max-age: a browser asks again (cheaply, with a validator) after this
CACHE_HEADER = "X-Newsrank-Cache"  # hit or miss, for operators and tests


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    ttl: int  # seconds a page stays cached although no post changed (dates, views, trends move)
    counts_view: bool = False


def _rule(pattern: str, ttl: int, counts_view: bool = False) -> Rule:
    return Rule(re.compile(pattern), ttl, counts_view)


# The anonymous pages, feeds and API answers worth caching, by path.
RULES = (
    _rule(r"^/$", 60),
    _rule(r"^/(?P<number>\d+)$", 300, counts_view=True),  # the article view
    _rule(r"^/(board/[-\w]+|outlet/\d+|outlets|issues)$", 60),
    _rule(r"^/story/\d+$", 120),
    _rule(r"^/(ranking|trending|search)$", 60),
    _rule(r"^/popular$", 15),  # readers' views move it, not new posts
    _rule(r"^/feed/", 60),
    _rule(r"^/api/(posts|posts/\d+|search|stories|stories/\d+|trending)$", 60),
    _rule(r"^/api/popular$", 15),
)


def rule_for(path: str) -> Rule | None:
    return next((rule for rule in RULES if rule.pattern.match(path)), None)


# ---------------------------------------------------------------------------------- generation


def _local_cache() -> bool:
    """Whether the cache is this process's own, so the generation must live elsewhere."""
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache | DummyCache)


def _stamp_path():
    return settings.DATA_DIR / GENERATION_FILE


def read_generation() -> str:
    """The current generation, read from where it is shared (no memo)."""
    if _local_cache():
        try:
            return str(os.stat(_stamp_path()).st_mtime_ns)
        except FileNotFoundError:
            return "0"
    return str(cache.get_or_set(GENERATION_KEY, time.time_ns, None))


def posts_changed() -> None:
    """Start a new generation: every page cached so far is out of date (the crawler calls this)."""
    path = _stamp_path()
    try:
        now = time.time_ns()
        try:
            now = max(now, os.stat(path).st_mtime_ns + 1)  # strictly newer, even in one tick
        except FileNotFoundError:
            path.touch()
        os.utime(path, ns=(now, now))
        if not _local_cache():
            try:
                cache.incr(GENERATION_KEY)
            except ValueError:  # no generation yet (or the cache was flushed)
                cache.set(GENERATION_KEY, now, None)
    except Exception:  # pages then stay stale for at most their TTL; never fail the crawler
        log.exception("could not start a new cache generation")
    _MEMO.reset()


class _Memo:
    """The generation as this process last read it, trusted for GENERATION_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = ""
        self._read_at = float("-inf")

    def get(self) -> str:
        now = time.monotonic()
        if now - self._read_at < GENERATION_SECONDS:
            return self._value
        value = read_generation()
        with self._lock:
            self._value, self._read_at = value, now
        return value

    def reset(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


_MEMO = _Memo()


def _on_change(sender=None, **kwargs) -> None:
    posts_changed()


def connect_signals() -> None:
    """Also start a new generation when a post is saved or deleted one by one (the admin, the
    pipeline) and after `migrate` or `flush`, which change what every page shows."""
    from newsrank.board.models import Post

    post_save.connect(_on_change, sender=Post, dispatch_uid="httpcache-post-save")
    post_delete.connect(_on_change, sender=Post, dispatch_uid="httpcache-post-delete")
    post_migrate.connect(_on_change, dispatch_uid="httpcache-migrate")


def generation() -> str:
    return _MEMO.get()


# ---------------------------------------------------------------------------------- middleware


@dataclass(frozen=True)
class Entry:
    """A cached page: enough to rebuild the response and answer conditional requests."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    modified: float  # when it was rendered, as a Unix time
    ttl: int = 60


class PageCacheMiddleware:
    """Serve anonymous pages from the cache, answer validators with 304, and label caching."""

    def __init__(self, get_response):
        self.get_response = get_response
        connect_signals()

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/" + settings.NEWSRANK_ADMIN_PATH):
            response = self.get_response(request)
            if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
                posts_changed()  # a post hidden, an outlet blocked: show it now
            return _private(response)
        rule = rule_for(path)
        if rule is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return _private(self.get_response(request))

        if connection.in_atomic_block:
            # Inside a transaction (ATOMIC_REQUESTS, or a test) a page may show rows that are
            # rolled back later: neither store it nor serve another in its place.
            return self.get_response(request)
        key = _key(request)
        entry = _cache_get(key) if key else None
        if entry is None:
            response = self.get_response(request)
            entry = _entry(response, rule.ttl)
            if entry is None:
                return response
            if key:
                _cache_set(key, entry, rule.ttl)
            state = "miss"
        else:
            if rule.counts_view:
                _count_view(request, rule)
            state = "hit"
        if _not_modified(request, entry):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(entry.body, status=entry.status)
            for name, value in entry.headers:
                response[name] = value
            response["Content-Length"] = str(len(entry.body))  # keep-alive without chunking
        response["ETag"] = entry.etag
        response["Last-Modified"] = formatdate(entry.modified, usegmt=True)
        response["Cache-Control"] = _public(rule)
        response[CACHE_HEADER] = state
        return response


def _public(rule: Rule) -> str:
    if rule.counts_view:
        return "public, no-cache"  # stored, but each view revalidated here, and so counted
    swr = rule.ttl * 2
    return (
        f"public, max-age={min(BROWSER_SECONDS, rule.ttl)}, s-maxage={rule.ttl}, "
        f"stale-while-revalidate={swr}, stale-if-error=600"
    )


def _private(response):
    response["Cache-Control"] = "private, no-store"
    return response


def _key(request) -> str | None:
    # The raw Host: the API's links carry scheme and host. An invalid one fails in the view
    # (DisallowedHost, a 400), so it is never stored.
    url = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    try:
        generation_ = generation()
    except Exception:
        log.warning("page cache unavailable; serving uncached", exc_info=True)
        return None
    digest = hashlib.blake2b(url.encode(), digest_size=16).hexdigest()
    return f"page:{generation_}:{digest}"


def _entry(response, ttl: int = 60) -> Entry | None:
    """The response as a cache entry, or None if it must not be cached."""
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies
        or response.has_header("Set-Cookie")
        or any(word in response.get("Cache-Control", "") for word in ("private", "no-store"))
    ):
        return None
    body = response.content
    skip = {"etag", "last-modified", "cache-control", "content-length", CACHE_HEADER.lower()}
    headers = tuple((k, v) for k, v in response.items() if k.lower() not in skip)
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Entry(response.status_code, headers, body, etag, time.time(), ttl)


class _Recent:
    """This process's most requested entries, unpickled: a hit then costs a dict lookup rather
    than a round trip to Redis or an unpickling of the page (measured: ~0.2 ms of ~1 ms)."""

    def __init__(self, size: int = 256):
        self.size = size
        self._entries: dict[str, tuple[float, Entry]] = {}

    def get(self, key: str) -> Entry | None:
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def put(self, key: str, entry: Entry, ttl: int) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # keys of old generations go too; the hot ones come back
        self._entries[key] = (time.monotonic() + ttl, entry)


_RECENT = _Recent()


def _cache_get(key: str) -> Entry | None:
    entry = _RECENT.get(key)
    if entry is not None:
        return entry
    try:
        entry = cache.get(key)
    except Exception:  # Redis down: serve uncached rather than fail
        log.warning("page cache unavailable; serving uncached", exc_info=True)
        return None
    if entry is not None:
        # Until the shared entry expires: at most its TTL, as in the shared cache.
        _RECENT.put(key, entry, max(1, int(entry.modified + entry.ttl - time.time())))
    return entry


def _cache_set(key: str, entry: Entry, ttl: int) -> None:
    _RECENT.put(key, entry, ttl)
    try:
        cache.set(key, entry, ttl)
    except Exception:
        log.warning("page cache unavailable; not storing", exc_info=True)


def _not_modified(request, entry: Entry) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or entry.etag in tags
    since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if since:
        try:
            return int(entry.modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
    return False


def _count_view(request, rule: Rule) -> None:
    """Count the article view the cached page stands for, as `post_detail` would."""
    from newsrank.stories.readers import COUNTER

    match = rule.pattern.match(request.path_info)
    try:
        COUNTER.count(request, int(match["number"]))
    except Exception:  # a lost view never costs the page
        log.exception("could not count a view")
