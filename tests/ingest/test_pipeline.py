"""refresh_feed against the sample outlets over loopback, into the real database."""

import pytest
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.ingest.crawler import crawl_due
from newsrank.ingest.pipeline import refresh_feed
from newsrank.sources.models import Feed
from newsrank.sources.services import add_feed

pytestmark = pytest.mark.django_db(transaction=False)


def subscribe(sample_outlets) -> list[Feed]:
    return [add_feed(f.url, f.outlet, f.section) for f in sample_outlets.feeds()]


def test_crawl_makes_one_post_per_published_article(sample_outlets, allow_loopback):
    subscribe(sample_outlets)
    assert crawl_due() == len(sample_outlets.feeds())
    published = {a.url for a in sample_outlets.articles()}
    stored = set(Post.objects.values_list("url", flat=True))
    assert stored == published
    assert not Feed.objects.exclude(status=Feed.Status.OK).exists()


def test_recrawl_neither_duplicates_nor_loses(sample_outlets, allow_loopback):
    feeds = subscribe(sample_outlets)
    for feed in feeds:
        refresh_feed(feed)
    before = list(Post.objects.order_by("number").values_list("number", "url"))
    Feed.objects.update(etag="", last_modified="")  # force full feeds, not 304s
    for feed in Feed.objects.all():
        result = refresh_feed(feed)
        assert result.new_posts == 0 and not result.error
    assert list(Post.objects.order_by("number").values_list("number", "url")) == before


def test_articles_published_later_appear_on_the_next_poll(sample_outlets, allow_loopback, clock):
    feeds = subscribe(sample_outlets)
    for feed in feeds:
        refresh_feed(feed)
    count = Post.objects.count()
    clock.advance(minutes=30)
    later = {a.url for a in sample_outlets.articles()}
    assert len(later) > count
    for feed in Feed.objects.all():
        refresh_feed(feed)
    assert set(Post.objects.values_list("url", flat=True)) == later
    newest = Post.objects.order_by("-number").first()
    assert newest.number > count


def test_posts_credit_outlet_section_and_korean_text(sample_outlets, allow_loopback):
    subscribe(sample_outlets)
    crawl_due()
    sample = {a.url: a for a in sample_outlets.articles()}
    for post in Post.objects.select_related("outlet"):
        article = sample[post.url]
        assert post.outlet.name == article.outlet
        assert post.title == article.title
        assert post.body_text and "\ufffd" not in post.body_text  # no mojibake, cp949 page included
        assert post.published_at is not None


def test_unchanged_feed_is_not_refetched_in_full(sample_outlets, allow_loopback):
    (feed, *_) = subscribe(sample_outlets)
    refresh_feed(feed)
    feed.refresh_from_db()
    assert feed.etag or feed.last_modified
    assert refresh_feed(feed).not_modified


def test_refuses_loopback_unless_allowed(sample_outlets):
    (feed, *_) = subscribe(sample_outlets)
    result = refresh_feed(feed)
    feed.refresh_from_db()
    assert result.error and feed.status == Feed.Status.ERROR
    assert "refused" in feed.error and "127.0.0.1" in feed.error
    assert feed.error_count == 1 and feed.next_check_at > feed.last_checked_at
    assert not Post.objects.exists()


def test_malformed_feed_leaves_a_clear_error_and_the_crawl_goes_on(sample_outlets, allow_loopback):
    broken = add_feed(f"{sample_outlets.base_url}/_trouble/malformed.xml", "고장난일보")
    good = subscribe(sample_outlets)
    crawl_due()
    broken.refresh_from_db()
    assert broken.status == Feed.Status.ERROR and "feed not readable" in broken.error
    assert Post.objects.filter(feed__in=good).exists()


def test_bad_articles_are_recorded_on_the_feed_and_good_ones_stored(sample_outlets, allow_loopback):
    feed = add_feed(f"{sample_outlets.base_url}/_trouble/mixed.xml", "고장난일보")
    result = refresh_feed(feed)
    feed.refresh_from_db()
    reasons = " ".join(reason for _, reason in result.failures)
    assert "404" in reasons
    assert "application/pdf" in reasons
    assert feed.status == Feed.Status.OK and "404" in feed.error
    posts = list(Post.objects.all())
    assert posts, "the good articles of the feed are stored"
    for post in posts:
        assert "<script" not in post.body_html.lower()
        assert "javascript:" not in post.body_html.lower()
        assert "onclick" not in post.body_html.lower()
        assert "<script" not in post.title.lower()
        assert "utm_" not in post.url and "fbclid" not in post.url


def test_redirect_loop_is_an_error_on_the_feed(sample_outlets, allow_loopback):
    feed = add_feed(f"{sample_outlets.base_url}/_trouble/redirect-loop", "고장난일보")
    result = refresh_feed(feed)
    assert result.error and "redirect" in result.error.lower()


def test_general_feed_post_gains_the_board_of_a_section_feed(sample_outlets, allow_loopback):
    feeds = subscribe(sample_outlets)
    general = [f for f in feeds if not f.section]
    for feed in general:
        refresh_feed(feed)
    sectioned = [f for f in feeds if f.section]
    for feed in sectioned:
        refresh_feed(feed)
    in_sections = Post.objects.exclude(section="").count()
    assert in_sections > 0


def test_one_round_numbers_posts_of_all_outlets_in_publication_order(
    sample_outlets, allow_loopback
):
    subscribe(sample_outlets)
    crawl_due()
    times = list(Post.objects.order_by("number").values_list("published_at", flat=True))
    assert len({p.outlet_id for p in Post.objects.all()}) > 1
    assert times == sorted(times)


def poll_many_times(feed, times: int = 4) -> None:
    for _ in range(times):
        Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="", body_hash="")
        feed.refresh_from_db()
        assert not refresh_feed(feed).error


def test_changing_guids_make_no_second_post(sample_outlets, allow_loopback):
    feed = add_feed(f"{sample_outlets.base_url}/_trouble/guid-changes.xml", "시험일보")
    poll_many_times(feed)
    assert Post.objects.count() == 2


def test_a_moving_url_with_one_guid_stays_one_post(sample_outlets, allow_loopback):
    feed = add_feed(f"{sample_outlets.base_url}/_trouble/moving-url.xml", "시험일보")
    poll_many_times(feed)
    (post,) = Post.objects.all()
    assert post.url == f"{sample_outlets.base_url}/_trouble/moving.html"


def test_an_updated_article_updates_its_post_and_keeps_the_number(
    sample_outlets, allow_loopback, clock
):
    feed = add_feed(f"{sample_outlets.base_url}/_trouble/updated.xml", "시험일보")
    refresh_feed(feed)
    (before,) = Post.objects.all()
    clock.advance(minutes=31)
    feed.refresh_from_db()
    result = refresh_feed(feed)
    assert result.updated == 1 and result.new_posts == 0
    (after,) = Post.objects.all()
    assert after.number == before.number
    assert after.title != before.title and after.body_text != before.body_text
    assert after.modified_at > before.modified_at


def test_bad_dates_and_html_titles_still_make_clean_posts(sample_outlets, allow_loopback):
    for name in ("bad-dates", "html-titles", "huge-entry"):
        feed = add_feed(f"{sample_outlets.base_url}/_trouble/{name}.xml", "시험일보")
        assert not refresh_feed(feed).error
    now = timezone.now()
    for post in Post.objects.all():
        assert "<" not in post.title and "&quot;" not in post.title
        assert post.published_at is None or post.published_at.year >= 1990
        assert post.published_at is None or post.published_at <= now
    assert Post.objects.count() >= 10


def test_a_news_sitemap_is_a_source_like_a_feed(sample_outlets, allow_loopback):
    (sitemap,) = sample_outlets.sitemaps()
    feed = add_feed(sitemap.url, sitemap.outlet)
    result = refresh_feed(feed)
    garam = {a.url for a in sample_outlets.articles() if a.outlet_slug == "garam"}
    assert result.new_posts == len(garam)
    assert set(Post.objects.values_list("url", flat=True)) == garam
    assert all(Post.objects.values_list("title", flat=True))
