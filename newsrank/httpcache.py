"""HTTP caching for anonymous readers: a server-side page cache, ETag/Last-Modified with 304s, and
Cache-Control that a CDN in front can follow.

Pages are cached whole, per URL, in Django's cache (local memory by default, Redis when REDIS_URL
is set). Two numbers say how current a cached page is:

- the *news generation*, which the crawler moves after it stores, updates, indexes or groups
  posts (`posts_changed`). A page rendered before it is *stale*, not gone: the next request gets
  the stale page at once and starts ONE re-render beside it, in a background thread, under a lock
  in the cache, so the following requests get the new page (a new post shows within a second or
  two). A burst of new posts under load thus costs each page one re-render, not one per reader
  (issue 6: emptying the whole cache on each new post made every reader wait for a render: 324
  errors and a p99 of 9 s at 200 clients). How soon news makes a page stale is the rule's
  `refresh`: at once for the lists a post appears on (front page, boards, outlets, feeds, the
  API's list), after some seconds for pages that only show it in a side list (an article shows
  its list page below it) or through a ranking (stories, search);
- the *page generation*, part of every key, which an admin edit moves (`invalidate_pages`): a
  hidden post must be gone from the very next page, so then every cached page is a miss.

A page past its TTL is stale in the same way; an entry is kept three TTLs, after which a request
renders it again itself. Each process reads both generations at most once a GENERATION_SECONDS.
Where they live: in the shared cache when there is one (Redis); with the default per-process
local-memory cache the web processes and the crawler share nothing, so then they are the
modification times of two files in the data folder, which one `stat()` each reads.

What is never cached here: requests that carry a session (a signed-in operator sees scores and
admin links, and gets `private, no-store`), the admin, anything not a 200, responses that set a
cookie or say `private`/`no-store` themselves. The article view is served from the cache too, but
its view is still counted: on a hit this middleware counts it, as the view does on a miss (a
background re-render says it is a bot, so it counts no one).

Cache-Control (RFC 9111 §5.2.2, RFC 5861 for stale-while-revalidate): browsers revalidate after a
few seconds, shared caches keep a page for its TTL and may serve it stale while they refetch. The
article view says `no-cache`, so a CDN revalidates each view with us and the view is counted.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import os
import queue
import re
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, ResolverMatch, resolve

log = logging.getLogger(__name__)

PAGES_KEY = "newsrank:generation"  # in the shared cache: the page generation (admin edits)
NEWS_KEY = "newsrank:news"  # and the news generation (the crawler)
PAGES_FILE = "cache-generation"  # in the data folder, with the local-memory cache
NEWS_FILE = "cache-news"
GENERATION_SECONDS = 1.0  # how long a process trusts the generations it read
BROWSER_SECONDS = 5  # max-age: a browser asks again (cheaply, with a validator) after this
KEEP_TTLS = 3  # an entry is kept this many TTLs: fresh for one, then served stale while re-rendered
RENDER_LOCK_SECONDS = 30  # a re-render that died is retried by another request after this
MISS_WAIT_SECONDS = 10  # a request waits this long for another's render of a page, then renders
# hit, stale (a re-render started or running), miss, or wait (took another request's render)
CACHE_HEADER = "X-Newsrank-Cache"
REVALIDATION_AGENT = "newsrank-revalidate (bot)"  # a bot: the re-render counts no reader


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    ttl: int  # seconds a page stays fresh although no post changed (dates, views, trends move)
    refresh: int  # seconds after its render before news makes the page stale
    counts_view: bool = False


def _rule(pattern: str, ttl: int, refresh: int, counts_view: bool = False) -> Rule:
    return Rule(re.compile(pattern), ttl, refresh, counts_view)


# The anonymous pages, feeds and API answers worth caching, by path.
RULES = (
    # The lists a new post appears on: stale as soon as news arrives.
    _rule(r"^/$", 60, 0),
    _rule(r"^/(board/[-\w]+|outlet/\d+|outlets|issues)$", 60, 0),
    _rule(r"^/feed/", 60, 0),
    _rule(r"^/api/posts$", 60, 0),
    # An article shows its list page below it; a new post there can wait half a minute.
    _rule(r"^/(?P<number>\d+)$", 300, 30, counts_view=True),
    _rule(r"^/story/\d+$", 120, 10),
    _rule(r"^/(ranking|trending|search)$", 60, 10),
    _rule(r"^/popular$", 15, 15),  # readers' views move it, not new posts
    _rule(r"^/api/(posts/\d+|search|stories|stories/\d+|trending)$", 60, 10),
    _rule(r"^/api/popular$", 15, 15),
)


def rule_for(path: str) -> Rule | None:
    return next((rule for rule in RULES if rule.pattern.match(path)), None)


# ---------------------------------------------------------------------------------- generations


class Generations(NamedTuple):
    pages: str  # part of every key: moving it makes every cached page a miss
    news: str  # stored in each entry: moving it makes pages stale


def _local_cache() -> bool:
    """Whether the cache is this process's own, so the generations must live elsewhere."""
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache | DummyCache)


def _stat(name: str) -> str:
    try:
        return str(os.stat(settings.DATA_DIR / name).st_mtime_ns)
    except FileNotFoundError:
        return "0"


def read_generations() -> Generations:
    """The current generations, read from where they are shared (no memo)."""
    if _local_cache():
        return Generations(_stat(PAGES_FILE), _stat(NEWS_FILE))
    return Generations(
        str(cache.get_or_set(PAGES_KEY, time.time_ns, None)),
        str(cache.get_or_set(NEWS_KEY, time.time_ns, None)),
    )


def posts_changed() -> None:
    """Posts were stored, updated, indexed or grouped (the crawler calls this): cached pages are
    stale, and each is re-rendered once on its next request."""
    _bump(NEWS_FILE, NEWS_KEY)


def invalidate_pages() -> None:
    """Something a reader must not see any more changed (an admin edit): every page is a miss."""
    _bump(PAGES_FILE, PAGES_KEY)


def _bump(name: str, key: str) -> None:
    path = settings.DATA_DIR / name
    try:
        now = time.time_ns()
        try:
            now = max(now, os.stat(path).st_mtime_ns + 1)  # strictly newer, even in one tick
        except FileNotFoundError:
            path.touch()
        os.utime(path, ns=(now, now))
        if not _local_cache():
            try:
                cache.incr(key)
            except ValueError:  # no generation yet (or the cache was flushed)
                cache.set(key, now, None)
    except Exception:  # pages then stay stale for at most their TTL; never fail the crawler
        log.exception("could not start a new cache generation")
    _MEMO.reset()


class _Memo:
    """The generations as this process last read them, trusted for GENERATION_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._value = Generations("", "")
        self._read_at = float("-inf")

    def get(self) -> Generations:
        now = time.monotonic()
        if now - self._read_at < GENERATION_SECONDS:
            return self._value
        value = read_generations()
        with self._lock:
            self._value, self._read_at = value, now
        return value

    def reset(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


_MEMO = _Memo()


def _on_change(sender=None, **kwargs) -> None:
    invalidate_pages()


def connect_signals() -> None:
    """Also drop every page when a post is saved or deleted one by one (the admin; the crawler
    stores in bulk and calls `posts_changed`) and after `migrate` or `flush`, which change what
    every page shows."""
    from newsrank.board.models import Post

    post_save.connect(_on_change, sender=Post, dispatch_uid="httpcache-post-save")
    post_delete.connect(_on_change, sender=Post, dispatch_uid="httpcache-post-delete")
    post_migrate.connect(_on_change, dispatch_uid="httpcache-migrate")


def generations() -> Generations:
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
    news: str = ""  # the news generation it was rendered in

    def stale(self, rule: Rule, news: str, now: float) -> bool:
        age = now - self.modified
        return age >= self.ttl or (self.news != news and age >= rule.refresh)


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
                invalidate_pages()  # a post hidden, an outlet blocked: show it now
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
        try:
            current = generations()
        except Exception:
            log.warning("page cache unavailable; serving uncached", exc_info=True)
            current = None
        key = _key(request, current.pages) if current else None
        entry = _cache_get(key) if key else None
        state = "hit"
        if entry is not None and entry.stale(rule, current.news, time.time()):
            entry, state = self._stale(request, rule, key, entry, current.news)
        owner = False
        if entry is None and key:
            waiting = _RENDERS.begin(key)
            owner = waiting is None
            if not owner:  # another request of this process renders the page: take its result
                waiting.wait(MISS_WAIT_SECONDS)
                entry, state = _cache_get(key), "wait"
        if entry is None:
            try:
                response = self.get_response(request)
                entry = _entry(response, rule.ttl, current.news if current else "")
                if entry is not None and key:
                    _cache_set(key, entry)
            finally:
                if owner:
                    _RENDERS.end(key)
            if entry is None:
                return response
            state = "miss"
        else:
            # Who answered, for the request metrics above (newsrank/ops/metrics.py), which would
            # otherwise resolve the URL again: a fifth of a hit's time.
            request.resolver_match = _resolved(path)
            if rule.counts_view:
                _count_view(request, rule)
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

    def _stale(self, request, rule, key, entry, news):
        """The entry to serve for a stale one, and its label: a fresher one another process
        stored, else the stale one while a re-render runs aside (None: render here)."""
        if not _local_cache():
            shared = _shared_get(key)  # another process may have re-rendered it already
            if shared is not None and not shared.stale(rule, news, time.time()):
                return shared, "hit"
        copy = _aside_copy(request)
        if copy is None:
            return None, "miss"
        REVALIDATOR.submit(key, lambda: self._render_aside(copy, rule, key), rule.refresh)
        return entry, "stale"

    def _render_aside(self, request, rule, key) -> None:
        news = generations().news  # read before rendering: news during the render stays news
        response = self.get_response(request)
        entry = _entry(response, rule.ttl, news)
        if entry is not None:
            _cache_set(key, entry)
        elif response.status_code in (404, 410):
            _cache_delete(key)  # gone (a story merged into another): say so from now on
        # Else (a 503 while the database restarts) the stale page stays, as stale-if-error says.


_RESOLVED: dict[str, ResolverMatch] = {}


def _resolved(path: str) -> ResolverMatch | None:
    """The URL's match, remembered for the cached paths (the hot ones come back after a clear)."""
    match = _RESOLVED.get(path)
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if len(_RESOLVED) >= 1024:
            _RESOLVED.clear()
        _RESOLVED[path] = match
    return match


class _Renders:
    """The pages being rendered for a miss in this process, so that the other requests for one
    wait for that render instead of each rendering it (a cold cache under load: 200 readers of
    the front page would otherwise render it 200 times at once)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._events: dict[str, threading.Event] = {}

    def begin(self, key: str) -> threading.Event | None:
        """None if the caller is to render the page (then it calls `end`), else what to wait on."""
        with self._lock:
            event = self._events.get(key)
            if event is None:
                self._events[key] = threading.Event()
            return event

    def end(self, key: str) -> None:
        with self._lock:
            event = self._events.pop(key, None)
        if event is not None:
            event.set()


_RENDERS = _Renders()


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


def _key(request, pages: str) -> str:
    # The raw Host: the API's links carry scheme and host. An invalid one fails in the view
    # (DisallowedHost, a 400), so it is never stored.
    url = f"{request.scheme}://{request.META.get('HTTP_HOST', '')}{request.get_full_path()}"
    digest = hashlib.blake2b(url.encode(), digest_size=16).hexdigest()
    return f"page:{pages}:{digest}"


def _entry(response, ttl: int = 60, news: str = "") -> Entry | None:
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
    return Entry(response.status_code, headers, body, etag, time.time(), ttl, news)


# ---------------------------------------------------------------------------------- storage


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

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)

    def put(self, key: str, entry: Entry, seconds: float) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # keys of old generations go too; the hot ones come back
        self._entries[key] = (time.monotonic() + seconds, entry)


_RECENT = _Recent()


def _shared_get(key: str) -> Entry | None:
    try:
        entry = cache.get(key)
    except Exception:  # Redis down: serve uncached rather than fail
        log.warning("page cache unavailable; serving uncached", exc_info=True)
        return None
    if entry is not None:
        # Until the shared entry expires, as in the shared cache.
        _RECENT.put(key, entry, entry.modified + entry.ttl * KEEP_TTLS - time.time())
    return entry


def _cache_get(key: str) -> Entry | None:
    entry = _RECENT.get(key)
    return entry if entry is not None else _shared_get(key)


def _cache_delete(key: str) -> None:
    _RECENT.drop(key)
    try:
        cache.delete(key)
    except Exception:
        log.warning("page cache unavailable; not deleting", exc_info=True)


def _cache_set(key: str, entry: Entry) -> None:
    keep = entry.ttl * KEEP_TTLS
    _RECENT.put(key, entry, keep)
    try:
        cache.set(key, entry, keep)
    except Exception:
        log.warning("page cache unavailable; not storing", exc_info=True)


# ---------------------------------------------------------------------------------- re-rendering

# What a re-render must not inherit from the request that found the page stale.
_NOT_COPIED = {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_COOKIE", "HTTP_USER_AGENT"}


def _aside_copy(request) -> WSGIRequest | None:
    """A fresh GET for the same URL, for a thread that outlives the reader's request."""
    environ = getattr(request, "environ", None)
    if not isinstance(request, WSGIRequest) or environ is None:
        return None
    environ = {k: v for k, v in environ.items() if k not in _NOT_COPIED}
    environ |= {
        "REQUEST_METHOD": "GET",
        "CONTENT_LENGTH": "0",
        "wsgi.input": io.BytesIO(),
        "HTTP_USER_AGENT": REVALIDATION_AGENT,
    }
    return WSGIRequest(environ)


class Revalidator:
    """Re-render stale pages in one background thread per process, each page once at a time.

    One page is re-rendered by one thread at a time: in this process by the set of pending keys,
    across processes by a lock in the cache (Redis: the whole site renders each stale page once;
    local memory: each process does its own). Every other request for the page meanwhile gets
    the stale one. The lists a new post appears on go first (the rule's `refresh`, then the
    order they were asked for). The thread rests after each render so that re-rendering takes at
    most `share` of a core from the readers: on a busy server a burst of news leaves the less
    urgent pages stale a little longer instead of slowing every answer (bench/load.py).
    """

    def __init__(self, limit: int = 500, share: float = 0.25):
        self.limit = limit
        self.share = share
        self._lock = threading.Condition()
        self._pending: set[str] = set()
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._pid = 0
        self.rendered = 0  # for tests and operators

    def submit(self, key: str, render, priority: int = 0) -> bool:
        """Queue a re-render of `key` unless one is pending; False if not queued."""
        with self._lock:
            if key in self._pending or len(self._pending) >= self.limit:
                return False
            self._pending.add(key)
        if not _take_render_lock(key):  # another process renders it
            self._done(key)
            return False
        with self._lock:
            if self._pid != os.getpid():  # no thread yet, or this process was forked
                self._queue = queue.PriorityQueue()
                self._pid = os.getpid()
                threading.Thread(target=self._work, name="newsrank-revalidate", daemon=True).start()
            self._queue.put((priority, next(self._order), key, render))
        return True

    def _work(self) -> None:
        work = self._queue
        while True:
            _priority, _order, key, render = work.get()
            started = time.thread_time()
            try:
                render()
                self.rendered += 1
            except Exception:
                log.exception("could not re-render a cached page")
            finally:
                _release_render_lock(key)
                if self._done(key):
                    # Idle: give the database connection back (CONN_MAX_AGE keeps none for a
                    # thread no request ends; a test database must be droppable).
                    connections.close_all()
            time.sleep((time.thread_time() - started) * (1 - self.share) / self.share)

    def _done(self, key: str) -> bool:
        with self._lock:
            self._pending.discard(key)
            idle = not self._pending
            if idle:
                self._lock.notify_all()
            return idle

    def wait(self, timeout: float = 10) -> bool:
        """Wait until no re-render is pending (tests, shutdown); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)


REVALIDATOR = Revalidator()


def _take_render_lock(key: str) -> bool:
    if _local_cache():
        return True  # the pending set is this process's lock, and the cache is its alone
    try:
        return cache.add("render:" + key, 1, RENDER_LOCK_SECONDS)
    except Exception:
        log.warning("page cache unavailable; re-rendering without a lock", exc_info=True)
        return True


def _release_render_lock(key: str) -> None:
    if not _local_cache():
        try:
            cache.delete("render:" + key)
        except Exception:
            log.warning("page cache unavailable; its render lock expires", exc_info=True)


# ---------------------------------------------------------------------------------- validators


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
