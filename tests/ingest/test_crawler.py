"""Crawler processes: leases, one crawler on SQLite, and no loss or duplicate after SIGKILL."""

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest.crawler import claim_due, crawl_due
from newsrank.sources.models import Feed
from newsrank.sources.services import add_feed


def subscribe(sample_outlets) -> list[Feed]:
    return [add_feed(f.url, f.outlet, f.section) for f in sample_outlets.feeds()]


@pytest.mark.django_db
def test_a_leased_feed_is_not_claimed_again_until_its_lease_expires(sample_outlets):
    feeds = subscribe(sample_outlets)
    first = claim_due("crawler-a", limit=100)
    assert {f.pk for f in first} == {f.pk for f in feeds}
    assert claim_due("crawler-b", limit=100) == []
    Feed.objects.filter(pk=feeds[0].pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert [f.pk for f in claim_due("crawler-b", limit=100)] == [feeds[0].pk]


@pytest.mark.django_db
def test_recording_a_poll_ends_the_lease(sample_outlets, allow_loopback):
    subscribe(sample_outlets)
    crawl_due(owner="crawler-a")
    assert not Feed.objects.exclude(lease_owner="").exists()
    assert not Feed.objects.filter(lease_expires_at__isnull=False).exists()


def crawler_env(tmp_path=None, **extra) -> dict:
    """The environment of a crawler subprocess on the test database."""
    settings_dict = connection.settings_dict
    loopback = {
        "NEWSRANK_ALLOW_PRIVATE_HOSTS": "127.0.0.0/8",
        "NEWSRANK_HOST_DELAY": "0",
        "NEWSRANK_HOST_CONCURRENCY": "8",
    }
    env = os.environ | loopback | extra
    if connection.vendor == "postgresql":
        user = settings_dict["USER"] or "postgres"
        host = settings_dict["HOST"] or "127.0.0.1"
        port = settings_dict["PORT"] or "5432"
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{settings_dict['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings_dict['NAME']}"
    return env


def crawler(env, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsrank", "crawl", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def assert_each_article_once(sample_outlets):
    urls = list(Post.objects.values_list("url", flat=True))
    assert sorted(urls) == sorted(a.url for a in sample_outlets.articles())
    titles = list(Post.objects.values_list("outlet__name", "title"))
    assert len(titles) == len(set(titles))


@pytest.mark.django_db(transaction=True)
def test_three_crawlers_share_a_crawl_with_no_duplicate_and_no_loss(sample_outlets):
    if connection.vendor != "postgresql":
        pytest.skip("several crawlers need PostgreSQL's row locks; SQLite runs one (tested below)")
    subscribe(sample_outlets)
    env = crawler_env()
    processes = [crawler(env, "--once") for _ in range(3)]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    refreshed = [int(out.split("refreshed ")[1].split()[0]) for out in outputs]
    assert sum(refreshed) == len(sample_outlets.feeds())  # each feed polled by exactly one
    assert_each_article_once(sample_outlets)


@pytest.mark.django_db(transaction=True)
def test_a_second_crawler_on_sqlite_refuses_with_a_clear_message(sample_outlets):
    if connection.vendor != "sqlite":
        pytest.skip("the single-crawler lock is SQLite's")
    env = crawler_env()
    first = crawler(env)
    try:
        time.sleep(2)  # let it take the lock
        second = subprocess.run(
            [sys.executable, "-m", "newsrank", "crawl", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1
        assert "only one crawler may run" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_sigkill_at_random_points_neither_loses_nor_doubles(sample_outlets, clock, wait_until):
    subscribe(sample_outlets)
    env = crawler_env(NEWSRANK_LEASE_SECONDS="1")
    chance = random.Random(20261128)
    counts = []
    for turn in range(12):
        process = crawler(env)
        if turn == 0:  # the first kill lands once a post is stored, however slowly it starts
            wait_until(lambda: Post.objects.exists(), 60, "the crawler stores a post")
            time.sleep(chance.uniform(0.0, 0.2))
        else:
            time.sleep(chance.uniform(0.3, 2.0))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        counts.append(Post.objects.count())
        clock.advance(minutes=1)  # sample outlets publish more in the meantime
    time.sleep(1.1)  # leases of the last killed crawler expire
    Feed.objects.update(next_check_at=timezone.now())
    final = subprocess.run(
        [sys.executable, "-m", "newsrank", "crawl", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert final.returncode == 0, final.stdout + final.stderr
    assert_each_article_once(sample_outlets)
    # Some kills landed in the middle of a crawl, with part of the articles stored.
    assert any(0 < count < len(sample_outlets.articles()) for count in counts), counts


@pytest.mark.django_db
def test_the_crawler_keeps_the_search_index_following_the_posts(sample_outlets, allow_loopback):
    from newsrank.search.backends import search

    subscribe(sample_outlets)
    crawl_due()
    assert not Post.objects.filter(search_pending=True).exists()
    post = Post.objects.filter(title__contains="루미나").first()
    assert post.number in [p.number for p in search("루미나").posts]
    Post.objects.filter(pk=post.pk).update(hidden=True, search_pending=True)
    crawl_due()  # no feed is due; the indexer still catches up
    assert post.number not in [p.number for p in search("루미나").posts]


def test_a_lost_database_connection_is_retried_and_a_full_disk_stops_the_crawler(db, monkeypatch):
    from django.db import OperationalError

    from newsrank.ingest import crawler

    monkeypatch.setattr(crawler, "RETRY_AFTER_DATABASE_ERROR", timedelta(0))
    stop = threading.Event()
    calls = []

    def lose_connection_once(stop_event, owner, session):
        calls.append(owner)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        stop.set()
        return 0

    monkeypatch.setattr(crawler, "crawl_due", lose_connection_once)
    crawler.run_crawler(stop)
    assert len(calls) == 2, "the crawler went on after the connection came back"

    def disk_full(stop_event, owner, session):
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(crawler, "crawl_due", disk_full)
    with pytest.raises(crawler.StorageFailed, match="disk is full"):
        crawler.run_crawler(threading.Event())
