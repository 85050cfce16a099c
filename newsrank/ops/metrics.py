"""Prometheus metrics at /metrics: request latency per view, and crawl figures from the database.

Why two sources. `newsrank run` serves the site from several gunicorn worker processes and crawls
in another process (on PostgreSQL, on other machines too), so a counter kept in one process sees
only that process's share. Crawl-side figures (posts ingested, feeds failing and why, lag, pending
work) are therefore read from the database when Prometheus scrapes, by a few queries on indexed
columns or on the small feed table, cached for a few seconds so frequent scrapes cost nothing.
Request latency can only be seen by the process that served the request: it is a histogram in
prometheus_client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (`newsrank run` sets it
to a folder in the data folder and empties it at start), else a plain in-process histogram.
"""

from __future__ import annotations

import os
import shutil
import statistics
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Min
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from newsrank.ops import access

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "newsrank_request_duration_seconds",
    "Time to answer a request, by the view (URL name) that answered it and the status class.",
    ["view", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,  # collected per scrape below, alone or through the multiprocess files
)


def prepare_multiprocess_dir(data_dir: Path) -> Path:
    """Point PROMETHEUS_MULTIPROC_DIR at an emptied folder in the data folder, for child processes.

    Called by the server start before the web workers are spawned: the files of a previous run
    would otherwise be added to this run's counts (prometheus_client docs, "Multiprocess Mode").
    """
    folder = Path(os.environ.get(MULTIPROC_ENV) or data_dir / "prometheus")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


class RequestMetricsMiddleware:
    """Observe each request's duration under the name of the view that answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(view_name(request), f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


def view_name(request) -> str:
    """The URL name of the view for the request's path ("board:post"), not the path itself.

    Names, not paths: a label per post number would make one series per article. A page served
    from the page cache or refused by the rate limit never reached URL resolution, so it is
    resolved here to be counted under its view all the same.
    """
    match = getattr(request, "resolver_match", None)
    if match is None:
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return "static"
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "unmatched"
    return match.view_name or "unnamed"


def metrics(request):
    """The metrics in Prometheus's text format, for allowed addresses or the bearer token."""
    allow_text = getattr(settings, "NEWSRANK_METRICS_ALLOW", None)
    if allow_text is None:
        allow_text = os.environ.get("NEWSRANK_METRICS_ALLOW", access.DEFAULT_ALLOW)
    token = getattr(settings, "NEWSRANK_METRICS_TOKEN", None)
    if token is None:
        token = os.environ.get("NEWSRANK_METRICS_TOKEN", "")
    decision = access.decide(
        request.META.get("REMOTE_ADDR", ""),
        request.headers,
        access.parse_networks(allow_text),
        token,
    )
    if not decision.allowed:
        return HttpResponse(status=decision.status)
    registry = CollectorRegistry(auto_describe=False)
    if _multiprocess():
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DatabaseCollector())
    response = HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def _multiprocess() -> bool:
    """Whether this process records into the shared files (decided when prometheus_client loaded)."""
    from prometheus_client import values

    return values.ValueClass is not values.MutexValue and bool(os.environ.get(MULTIPROC_ENV))


class DatabaseCollector:
    """Crawl-side figures read from the database, shared by every process that serves them."""

    def collect(self):
        return _cached_families()


_lock = threading.Lock()
_cache: dict[str, object] = {}


def _cached_families() -> list:
    seconds = getattr(settings, "NEWSRANK_METRICS_CACHE_SECONDS", 5)
    with _lock:
        if _cache.get("expires", 0) > time.monotonic():
            return _cache["families"]
        families = database_families()
        _cache.update(families=families, expires=time.monotonic() + seconds)
        return families


def database_families() -> list:
    """Read the figures now: a handful of queries, each on an index or on the feed table."""
    from newsrank.board.models import Post
    from newsrank.sources.models import Feed

    now = timezone.now()
    families = []

    # Post numbers only grow and are never reused, so the highest is the number of posts ever
    # stored (PostgreSQL's sequence may skip a number after a failed insert: an upper bound).
    newest = Post.objects.order_by("-number").values("number", "created_at").first()
    ingested = CounterMetricFamily(
        "newsrank_posts_ingested", "Posts stored since the site began (the highest post number)."
    )
    ingested.add_metric([], newest["number"] if newest else 0)
    families.append(ingested)
    newest_age = GaugeMetricFamily(
        "newsrank_newest_post_age_seconds", "Seconds since the newest post was stored."
    )
    if newest:
        newest_age.add_metric([], (now - newest["created_at"]).total_seconds())
    families.append(newest_age)

    by_status = GaugeMetricFamily("newsrank_feeds", "Feeds by status.", labels=["status"])
    counts = dict(Feed.objects.order_by().values_list("status").annotate(n=Count("pk")))
    for status in Feed.Status.values:
        by_status.add_metric([status], counts.get(status, 0))
    families.append(by_status)

    reasons = {reason: 0 for reason in REASONS}
    for status, error in Feed.objects.order_by().exclude(error="").values_list("status", "error"):
        reason = error_reason(error) if status in ("error", "paused") else "article"
        reasons[reason] += 1
    errors = GaugeMetricFamily(
        "newsrank_feed_errors",
        "Feeds whose last poll failed, by reason (article: the feed was read, some articles not).",
        labels=["reason"],
    )
    for reason, count in reasons.items():
        errors.add_metric([reason], count)
    families.append(errors)

    active = Feed.objects.active().order_by()
    due = active.filter(next_check_at__lte=now).aggregate(oldest=Min("next_check_at"))["oldest"]
    overdue = GaugeMetricFamily(
        "newsrank_crawl_overdue_seconds",
        "How long the longest-waiting due feed has waited past its check time (0: none waiting).",
    )
    overdue.add_metric([], (now - due).total_seconds() if due else 0)
    families.append(overdue)

    lags = sorted(lag for lag in active.values_list("lag_seconds", flat=True) if lag is not None)
    lag = GaugeMetricFamily(
        "newsrank_crawl_lag_seconds",
        "Publication to stored, per feed's last new posts: median and max over active feeds.",
        labels=["stat"],
    )
    if lags:
        lag.add_metric(["median"], statistics.median(lags))
        lag.add_metric(["max"], lags[-1])
    families.append(lag)

    success = active.aggregate(oldest=Min("last_success_at"), last=Max("last_success_at"))
    stale = GaugeMetricFamily(
        "newsrank_feed_success_age_seconds",
        "Seconds since a feed was last read successfully: the most and least recent active feed.",
        labels=["feed"],
    )
    if success["last"]:
        stale.add_metric(["newest"], (now - success["last"]).total_seconds())
        stale.add_metric(["oldest"], (now - success["oldest"]).total_seconds())
    families.append(stale)

    # Both flags have partial indexes (post_search_pending, post_story_pending), and the count is
    # capped, so a large backlog (a reindex) does not make a scrape slow.
    for name, flag, text in (
        ("newsrank_search_pending_posts", "search_pending", "Posts waiting for the search index"),
        ("newsrank_story_pending_posts", "story_pending", "Posts waiting for story grouping"),
    ):
        pending = GaugeMetricFamily(name, f"{text} (counted up to {PENDING_CAP}).")
        pending.add_metric([], _capped_count(Post.objects.filter(**{flag: True})))
        families.append(pending)
    return families


PENDING_CAP = 100_000


def _capped_count(queryset) -> int:
    return queryset.order_by().values("number")[:PENDING_CAP].count()


# Reasons are a fixed set, so a label never grows with the variety of error messages.
REASONS = (
    "robots", "http_4xx", "http_5xx", "timeout", "dns", "connection", "refused_address",
    "too_large", "redirect", "parse", "internal", "other", "article",
)  # fmt: skip
_RULES = (  # first match wins; the messages come from ingest/fetcher.py, session.py, pipeline.py
    ("robots.txt", "robots"),
    ("http 4", "http_4xx"),
    ("http 5", "http_5xx"),
    ("timed out", "timeout"),
    ("took longer", "timeout"),
    ("could not resolve", "dns"),
    ("refused:", "refused_address"),
    ("connection refused", "connection"),
    ("could not connect", "connection"),
    ("network error", "connection"),
    ("tls", "connection"),
    ("decompress", "connection"),
    ("larger than", "too_large"),
    ("redirect", "redirect"),
    ("feed not readable", "parse"),
    ("internal error", "internal"),
)


def error_reason(error: str) -> str:
    """The reason class of a feed's error text (one of REASONS)."""
    text = error.lower()
    if text.startswith("paused after"):
        text = text.partition(": ")[2]
    for needle, reason in _RULES:
        if needle in text:
            return reason
    return "other"
