"""/metrics (Prometheus text, who may read it, figures that follow a crawl) and JSON log lines."""

import json
import logging
import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from newsrank.ingest.pipeline import refresh_feeds
from newsrank.ops import access, metrics
from newsrank.ops.logs import JsonFormatter
from newsrank.sources.models import Feed
from newsrank.sources.services import add_feed

PUBLIC = "203.0.113.9"  # TEST-NET-3 (RFC 5737): stands for any address on the internet


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    """Read the database on every scrape, and start from the default access rules."""
    settings.NEWSRANK_METRICS_CACHE_SECONDS = 0
    settings.NEWSRANK_METRICS_ALLOW = access.DEFAULT_ALLOW
    settings.NEWSRANK_METRICS_TOKEN = ""
    metrics._cache.clear()
    yield
    metrics._cache.clear()


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    """{sample name: {sorted labels: value}} from /metrics, parsed by prometheus_client."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            samples.setdefault(sample.name, {})[key] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples[name][tuple(sorted(labels.items()))]


@pytest.mark.django_db
def test_metrics_text_parses_and_names_every_figure(client):
    samples = scrape(client)
    for name in (
        "newsrank_posts_ingested_total",
        "newsrank_feeds",
        "newsrank_feed_errors",
        "newsrank_crawl_overdue_seconds",
        "newsrank_search_pending_posts",
        "newsrank_story_pending_posts",
    ):
        assert name in samples, name
    assert value(samples, "newsrank_feeds", status="paused") == 0
    assert set(dict(k)["reason"] for k in samples["newsrank_feed_errors"]) == set(metrics.REASONS)


@pytest.mark.django_db
def test_figures_move_after_a_crawl_of_the_sample_outlets(client, sample_outlets, allow_loopback):
    feeds = [add_feed(f.url, f.outlet, f.section) for f in sample_outlets.feeds()]
    before = scrape(client)
    assert value(before, "newsrank_posts_ingested_total") == 0
    assert value(before, "newsrank_feeds", status="new") == len(feeds)
    assert value(before, "newsrank_crawl_overdue_seconds") >= 0

    results = refresh_feeds(list(Feed.objects.select_related("outlet")))
    stored = sum(result.new_posts for result in results)
    assert stored > 0

    after = scrape(client)
    assert value(after, "newsrank_posts_ingested_total") >= stored
    ok = value(after, "newsrank_feeds", status="ok")
    failing = value(after, "newsrank_feeds", status="error")
    assert ok + failing == len(feeds) and ok > 0
    assert sum(after["newsrank_feed_errors"].values()) == sum(
        1 for result in results if result.error or result.failures
    )
    # Nothing has indexed or grouped the new posts yet: that work is pending.
    assert value(after, "newsrank_search_pending_posts") == stored
    assert value(after, "newsrank_story_pending_posts") == stored
    assert value(after, "newsrank_newest_post_age_seconds") < 600
    assert value(after, "newsrank_feed_success_age_seconds", feed="newest") < 600


@pytest.mark.django_db
def test_failing_feeds_are_counted_by_reason(client, outlet):
    now = timezone.now()
    for index, (status, error) in enumerate(
        [
            ("error", "HTTP 503 Service Unavailable"),
            ("error", "timed out waiting for garam.example"),
            ("paused", "paused after 9 errors in a row since 2026-11-28 09:00: HTTP 404 Not Found"),
            ("ok", "기사 1건을 가져오지 못했습니다:\nhttps://garam.example/1 — HTTP 500"),
        ]
    ):
        Feed.objects.create(
            outlet=outlet,
            url=f"https://garam.example/rss/{index}",
            status=status,
            error=error,
            next_check_at=now - timedelta(minutes=5),
        )
    samples = scrape(client)
    counts = {dict(k)["reason"]: v for k, v in samples["newsrank_feed_errors"].items() if v}
    assert counts == {"http_5xx": 1, "timeout": 1, "http_4xx": 1, "article": 1}
    # The paused feed is not polled, so it does not wait; the others have waited five minutes.
    assert 290 < value(samples, "newsrank_crawl_overdue_seconds") < 900


@pytest.mark.parametrize(
    "error, reason",
    [
        ("robots.txt unreachable: could not resolve host a.example", "robots"),
        ("blocked by robots.txt", "robots"),
        ("HTTP 403 Forbidden", "http_4xx"),
        ("HTTP 502 Bad Gateway", "http_5xx"),
        ("took longer than 30 s", "timeout"),
        ("could not resolve host a.example", "dns"),
        ("connection refused by a.example", "connection"),
        ("TLS certificate of a.example not valid: expired", "connection"),
        ("refused: 10.0.0.1 is a private address", "refused_address"),
        ("response larger than 20 MB", "too_large"),
        ("redirect loop at https://a.example/", "redirect"),
        ("feed not readable: not well-formed (invalid token)", "parse"),
        ("sitemap: HTTP 404 Not Found", "http_4xx"),
        ("internal error while refreshing; see the crawler log", "internal"),
        ("something new", "other"),
    ],
)
def test_feed_errors_fall_into_a_fixed_set_of_reasons(error, reason):
    assert metrics.error_reason(error) == reason


@pytest.mark.django_db
def test_request_latency_is_observed_under_the_view_name(client, make_posts):
    post = make_posts(1)[0]

    def count(view):
        samples = scrape(client)["newsrank_request_duration_seconds_count"]
        return samples.get((("status", "2xx"), ("view", view)), 0)

    before_list, before_post = count("board:list"), count("board:post")
    client.get("/")
    client.get(post.get_absolute_url())
    client.get(post.get_absolute_url())
    assert count("board:list") == before_list + 1
    assert count("board:post") == before_post + 2
    client.get("/no/such/page")
    assert count("unmatched") == 0  # a 404 is counted under 4xx, never as 2xx
    samples = scrape(client)["newsrank_request_duration_seconds_count"]
    assert samples[(("status", "4xx"), ("view", "unmatched"))] >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "remote, headers, status",
    [
        ("127.0.0.1", {}, 200),
        ("10.1.2.3", {}, 200),
        ("::1", {}, 200),
        (PUBLIC, {}, 404),
        # Through a proxy on the same machine: the client it names decides, not the proxy.
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": PUBLIC}, 404),
        ("127.0.0.1", {"HTTP_X_REAL_IP": PUBLIC}, 404),
        ("127.0.0.1", {"HTTP_FORWARDED": f'for="{PUBLIC}";proto=https'}, 404),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "192.168.0.5"}, 200),
        # A forged header cannot make a public client private.
        (PUBLIC, {"HTTP_X_FORWARDED_FOR": "127.0.0.1"}, 404),
    ],
)
def test_metrics_are_served_to_private_addresses_only(client, remote, headers, status):
    assert client.get("/metrics", REMOTE_ADDR=remote, **headers).status_code == status


@pytest.mark.django_db
def test_a_bearer_token_opens_the_metrics_from_anywhere(client, settings):
    settings.NEWSRANK_METRICS_TOKEN = "s3cret-token"
    bearer = {"REMOTE_ADDR": PUBLIC, "HTTP_AUTHORIZATION": "Bearer s3cret-token"}
    assert client.get("/metrics", **bearer).status_code == 200
    wrong = {"REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": "Bearer guess"}
    assert client.get("/metrics", **wrong).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR=PUBLIC).status_code == 404


@pytest.mark.django_db
def test_an_empty_allow_list_closes_the_metrics_to_every_address(client, settings):
    settings.NEWSRANK_METRICS_ALLOW = ""
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_scrape_figures_are_cached_for_a_few_seconds(settings, monkeypatch):
    settings.NEWSRANK_METRICS_CACHE_SECONDS = 60
    calls = []
    monkeypatch.setattr(metrics, "database_families", lambda: calls.append(1) or [])
    metrics._cached_families()
    metrics._cached_families()
    assert calls == [1]


RECORD_AND_READ = """
import os, sys
from prometheus_client import CollectorRegistry, multiprocess
from newsrank.ops.metrics import REQUEST_SECONDS
if sys.argv[1] == "record":
    REQUEST_SECONDS.labels("board:list", "2xx").observe(0.02)
else:
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    print(registry.get_sample_value(
        "newsrank_request_duration_seconds_count", {"view": "board:list", "status": "2xx"}))
"""


def test_request_counts_of_several_worker_processes_add_up(tmp_path):
    """In multiprocess mode each worker writes its own file; a scrape in any worker sums them."""
    stale = tmp_path / "prometheus" / "histogram_999999.db"
    stale.parent.mkdir()
    stale.write_bytes(b"left by the previous run")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="newsrank.settings")
    saved = os.environ.get(metrics.MULTIPROC_ENV)
    try:
        os.environ.pop(metrics.MULTIPROC_ENV, None)
        folder = metrics.prepare_multiprocess_dir(tmp_path)
        env[metrics.MULTIPROC_ENV] = os.environ[metrics.MULTIPROC_ENV]
    finally:
        if saved is None:
            os.environ.pop(metrics.MULTIPROC_ENV, None)
        else:
            os.environ[metrics.MULTIPROC_ENV] = saved
    assert folder == tmp_path / "prometheus" and not stale.exists()

    def run(mode):
        return subprocess.run(
            [sys.executable, "-c", RECORD_AND_READ, mode],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    for _ in range(3):  # three worker processes, one request each
        run("record")
    assert run("read") == "3.0"


def test_json_log_lines_carry_the_message_extra_fields_and_the_exception():
    logger = logging.getLogger("newsrank.test")
    record = logger.makeRecord(
        "newsrank.test", logging.WARNING, __file__, 1, "피드 %s 오류", ("가람",), None,
        extra={"feed_id": 7},
    )  # fmt: skip
    try:
        raise ValueError("줄1\n줄2")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "피드 가람 오류"
    assert entry["level"] == "WARNING" and entry["logger"] == "newsrank.test"
    assert entry["feed_id"] == 7
    assert entry["time"].endswith("+00:00")
    assert "ValueError: 줄1" in entry["exception"]


LOG_ONE_LINE = """
import django, logging
django.setup()
logging.getLogger("newsrank.crawler").warning("수집 %d건", 3)
"""


def _django_process(**env):
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="newsrank.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LOG_ONE_LINE)],
        env=environment,
        capture_output=True,
        text=True,
    )


def test_newsrank_log_format_json_makes_the_console_log_json_lines():
    done = _django_process(NEWSRANK_LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    entry = json.loads(done.stderr.strip().splitlines()[-1])
    assert entry["message"] == "수집 3건" and entry["logger"] == "newsrank.crawler"
    plain = _django_process(NEWSRANK_LOG_FORMAT="")
    assert plain.stderr.strip().endswith("WARNING newsrank.crawler: 수집 3건")


def test_an_unknown_log_format_fails_fast_with_what_to_set():
    done = _django_process(NEWSRANK_LOG_FORMAT="xml")
    assert done.returncode != 0
    assert "NEWSRANK_LOG_FORMAT='xml': use plain or json" in done.stderr
