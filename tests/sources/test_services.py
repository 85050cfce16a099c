"""Sources services: the default outlet list, OPML import/export, resuming feeds, crawl health."""

from datetime import timedelta
from importlib import resources

import pytest
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest.urls import canonical_url
from newsrank.sources.models import Feed, Outlet
from newsrank.sources.opml import OpmlError, parse_opml
from newsrank.sources.services import (
    add_feed,
    crawl_health,
    default_feeds,
    export_opml,
    get_or_add_feed,
    import_opml,
    load_feeds_if_empty,
    posts_collected_since,
    resume_feeds,
)


def tsv_rows() -> list[list[str]]:
    text = resources.files("newsrank.sources").joinpath("default_feeds.tsv").read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def test_default_list_rows_are_clean_and_unique():
    rows = tsv_rows()
    assert len(rows) > 150
    for outlet, section, url, confidence in rows:
        assert outlet.strip() == outlet and outlet
        assert confidence in {"high", "medium", "low"}
        assert canonical_url(url).startswith(("http://", "https://")) and "{" not in url
        assert not any(mark in section for mark in "()[]?"), section  # research notes trimmed
    assert len({canonical_url(url) for *_, url, _ in rows}) == len(rows)


def test_default_feeds_are_the_high_and_medium_rows_unless_asked():
    rows = tsv_rows()
    loaded = default_feeds()
    assert len(loaded) == sum(row[3] in {"high", "medium"} for row in rows)
    assert ("연합뉴스", "전체", "https://www.yna.co.kr/rss/news.xml") in loaded
    assert all(len(row) == 3 for row in loaded)
    every = default_feeds(confidence={"high", "medium", "low"})
    assert len(every) == len(rows) > len(loaded)
    assert len(default_feeds(confidence={"low"})) == len(every) - len(loaded)


@pytest.mark.django_db
def test_load_feeds_if_empty_counts_what_it_added_and_runs_once():
    rows = [
        ("가람일보", "정치", "https://garam.example/rss/politics"),
        ("가람일보", "정치", "https://garam.example/rss/politics?utm_source=x"),  # the same feed
        ("누리신문", "", "https://nuri.example/rss"),
    ]
    assert load_feeds_if_empty(rows) == 2
    assert load_feeds_if_empty([("다른일보", "", "https://other.example/rss")]) == 0
    assert Feed.objects.count() == 2


@pytest.mark.django_db
def test_get_or_add_feed_tells_whether_it_is_new_and_keeps_a_given_homepage():
    feed, created = get_or_add_feed(
        "https://rss.garam.example/p", "가람일보", "정치", homepage="https://www.garam.example/"
    )
    assert created and feed.section == "politics"
    assert feed.outlet.homepage == "https://www.garam.example/"
    assert get_or_add_feed("https://rss.garam.example/p")[1] is False
    other = add_feed("https://nuri.example/rss", homepage="javascript:alert(1)")
    assert other.outlet.name == "nuri.example" and other.outlet.homepage == "https://nuri.example/"


OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><body>
  <outline text="가람일보">
    <outline type="rss" text="가람일보 정치" category="정치" xmlUrl="https://garam.example/p"
             htmlUrl="https://garam.example/"/>
    <outline type="rss" text="가람일보 경제" xmlUrl="https://garam.example/e?utm_source=opml"/>
  </outline>
  <outline type="rss" text="엉터리" xmlUrl="ftp://bad.example/rss"/>
  <outline type="rss" text="누리신문" xmlUrl="https://nuri.example/rss"/>
</body></opml>""".encode()


@pytest.mark.django_db
def test_import_adds_new_feeds_reports_failures_and_is_idempotent():
    add_feed("https://nuri.example/rss", "누리신문")
    result = import_opml(OPML)
    assert (result.added, result.skipped) == (2, 1)
    assert [url for url, _ in result.failed] == ["ftp://bad.example/rss"]
    assert "only http and https" in result.failed[0][1]
    economy = Feed.objects.get(url="https://garam.example/e")
    assert economy.outlet.name == "가람일보" and economy.section_label == "경제"
    assert economy.outlet.homepage == "https://garam.example/"
    again = import_opml(OPML)
    assert (again.added, again.skipped) == (0, 3)
    assert Feed.objects.count() == 3 and Outlet.objects.count() == 2


@pytest.mark.django_db
def test_export_then_import_into_an_empty_database_gives_the_same_feeds():
    add_feed("https://garam.example/p", "가람일보", "정치")
    add_feed("https://garam.example/all", "가람일보", "")
    add_feed("https://feeds.example.net/nuri", "누리 & 신문", "IT·과학")
    before = sorted(Feed.objects.values_list("outlet__name", "section_label", "url"))
    document = export_opml()
    assert len(parse_opml(document)) == 3
    Feed.objects.all().delete()
    Outlet.objects.all().delete()
    assert import_opml(document).added == 3
    assert sorted(Feed.objects.values_list("outlet__name", "section_label", "url")) == before


@pytest.mark.django_db
def test_import_of_a_bad_document_adds_nothing():
    with pytest.raises(OpmlError):
        import_opml(b"<rss/>")
    assert not Feed.objects.exists()


@pytest.mark.django_db
def test_resume_un_pauses_only_paused_feeds_and_restarts_their_backoff():
    later = timezone.now() + timedelta(days=1)
    paused = add_feed("https://garam.example/p", "가람일보")
    failing = add_feed("https://garam.example/e", "가람일보")
    Feed.objects.filter(pk=paused.pk).update(
        status=Feed.Status.PAUSED, error_count=9, first_error_at=timezone.now(),
        next_check_at=later, error="HTTP 404 Not Found",
    )  # fmt: skip
    Feed.objects.filter(pk=failing.pk).update(
        status=Feed.Status.ERROR, error_count=2, next_check_at=later
    )
    assert resume_feeds(Feed.objects.all()) == 1
    paused.refresh_from_db()
    failing.refresh_from_db()
    assert paused.status == Feed.Status.NEW and paused.error_count == 0
    assert paused.first_error_at is None and paused.next_check_at <= timezone.now()
    assert paused.error == "HTTP 404 Not Found"  # the reason stays until the next poll
    assert failing.status == Feed.Status.ERROR and failing.error_count == 2


@pytest.mark.django_db
def test_posts_collected_since_counts_by_storage_time_across_number_gaps(make_posts):
    now = timezone.now()
    posts = make_posts(30)
    ages = [timedelta(days=3) - timedelta(minutes=7 * i) for i in range(20)]
    ages += [timedelta(minutes=50 - 4 * i) for i in range(10)]  # the last 10 in the last hour
    for post, age in zip(posts, ages, strict=True):
        Post.objects.filter(pk=post.pk).update(created_at=now - age)
    Post.objects.filter(pk__in=[posts[3].pk, posts[22].pk, posts[23].pk]).delete()  # gaps
    assert posts_collected_since(now - timedelta(hours=1)) == 8
    assert posts_collected_since(now - timedelta(days=3, minutes=1)) == 27
    assert posts_collected_since(now) == 0
    assert posts_collected_since(now - timedelta(days=30)) == 27


@pytest.mark.django_db
def test_posts_collected_since_on_an_empty_board():
    assert posts_collected_since(timezone.now() - timedelta(days=1)) == 0


@pytest.mark.django_db
def test_crawl_health_totals_feeds_by_status(make_posts):
    for index, status in enumerate(["ok", "ok", "error", "paused", "new"]):
        feed = add_feed(f"https://garam.example/{index}", "가람일보")
        Feed.objects.filter(pk=feed.pk).update(status=status)
    make_posts(3)
    health = crawl_health()
    assert health["feeds"] == {"total": 5, "new": 1, "ok": 2, "error": 1, "paused": 1}
    assert health["posts"]["last_hour"] == health["posts"]["last_day"] == 3
    assert health["posts"]["newest_at"] == Post.objects.order_by("-number")[0].created_at
    assert [feed["url"] for feed in health["results"]] == [
        f"https://garam.example/{index}" for index in range(5)
    ]
