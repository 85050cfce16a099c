"""Stories over a crawl of the sample outlets, in the database."""

from collections import defaultdict
from itertools import combinations

import pytest
from django.utils.html import escape

from newsrank.board.models import Post
from newsrank.ingest.crawler import crawl_due
from newsrank.sources.services import add_feed
from newsrank.stories.models import Story

pytestmark = pytest.mark.django_db


def crawl(sample_outlets) -> dict[str, str | None]:
    """Crawl the sample outlets; returns each article URL's labelled event."""
    for feed in sample_outlets.feeds():
        add_feed(feed.url, feed.outlet, feed.section)
    crawl_due()
    return {a.url: a.event for a in sample_outlets.articles()}


def pairs(groups: dict) -> set[tuple[str, str]]:
    return {tuple(sorted(pair)) for urls in groups.values() for pair in combinations(urls, 2)}


def test_every_post_gets_a_story_and_events_are_grouped(sample_outlets, allow_loopback):
    events = crawl(sample_outlets)
    assert not Post.objects.filter(story_pending=True).exists()
    assert not Post.objects.filter(story__isnull=True).exists()
    by_story, by_event = defaultdict(list), defaultdict(list)
    for url, story in Post.objects.values_list("url", "story_id"):
        by_story[story].append(url)
        if events[url]:
            by_event[events[url]].append(url)
    predicted, truth = pairs(by_story), pairs(by_event)
    precision = len(predicted & truth) / max(len(predicted), 1)
    recall = len(predicted & truth) / len(truth)
    print(f"sample outlets: pairwise precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.8 and recall >= 0.5


def test_a_story_keeps_its_id_and_counts_as_it_grows(sample_outlets, allow_loopback, clock):
    crawl(sample_outlets)
    before = {s.pk: s.posts_count for s in Story.objects.live()}
    clock.advance(minutes=15)  # the sample outlets publish more versions of running events
    crawl_due_all()
    after = {s.pk: s.posts_count for s in Story.objects.live()}
    grown = [pk for pk, count in before.items() if after.get(pk, 0) > count]
    assert grown, "a running event's story gained posts and kept its id"
    for story in Story.objects.live():
        posts = Post.objects.filter(story=story)
        assert story.posts_count == posts.count()
        assert story.outlets_count == posts.values("outlet").distinct().count()
        assert story.headline in set(posts.values_list("title", flat=True))


def crawl_due_all():
    from django.utils import timezone

    from newsrank.sources.models import Feed

    Feed.objects.update(next_check_at=timezone.now())
    crawl_due()


def test_straight_news_gets_a_summary_and_flashes_do_not(sample_outlets, allow_loopback):
    crawl(sample_outlets)
    flashes = Post.objects.filter(title__startswith="[속보]")
    assert flashes.exists() and all(not p.summary for p in flashes)
    long_posts = [p for p in Post.objects.all() if len(p.body_text) > 600]
    with_summary = [p for p in long_posts if p.summary]
    assert len(with_summary) >= len(long_posts) * 0.8
    for post in with_summary:
        assert 1 <= len(post.summary) <= 3
        assert all(sentence in post.body_text for sentence in post.summary)


def test_story_pages_and_api_show_every_outlets_version(client, sample_outlets, allow_loopback):
    crawl(sample_outlets)
    story = Story.objects.live().order_by("-outlets_count", "pk").first()
    assert story.outlets_count >= 3
    posts = list(Post.objects.filter(story=story))
    page = client.get(story.get_absolute_url()).content.decode()
    assert escape(story.headline) in page
    for post in posts:
        assert escape(post.title) in page and post.outlet.name in page

    board = client.get("/").content.decode()
    assert 'class="more" href="/story/' in board  # rows of multi-outlet stories link them

    issues = client.get("/issues").content.decode()
    assert issues.count(f'href="/story/{story.pk}"') <= 1
    assert client.get("/ranking").status_code == 200

    ranked = client.get("/api/stories").json()["results"]
    assert ranked and {"id", "headline", "outlets", "posts", "score"} <= set(ranked[0])
    assert [r["score"] for r in ranked] == sorted((r["score"] for r in ranked), reverse=True)
    detail = client.get(f"/api/stories/{story.pk}").json()
    assert {r["number"] for r in detail["results"]} == {p.number for p in posts}
    assert client.get("/api/stories/999999").status_code == 404
    listed = client.get("/api/posts").json()["results"][0]
    assert listed["story"] == Post.objects.get(number=listed["number"]).story_id


def test_the_article_view_shows_its_summary_and_links_its_story(
    client, sample_outlets, allow_loopback
):
    crawl(sample_outlets)
    post = next(p for p in Post.objects.exclude(summary=[]) if p.story and p.story.posts_count > 1)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "요약" in html and escape(post.summary[0]) in html
    assert f'href="/story/{post.story_id}"' in html


def test_a_restarted_assigner_warms_up_with_the_same_features_it_stored(make_posts):
    from newsrank.stories.assign import StoryAssigner, features_of

    posts = make_posts(
        1,
        title="누리전자 2분기 영업이익 1조2천억원…반도체 회복",
        body_text="누리전자가 31일 2분기 영업이익 1조2천억원을 냈다고 공시했다.",
    )
    first = StoryAssigner()
    assert first.assign_pending() == 1
    restarted = StoryAssigner()
    restarted._warm()
    ((item, restored),) = restarted.grouper.members(Post.objects.get().story_id)
    assert restored == features_of(posts)[0]
    assert restored.entities, "names and figures are kept, not only title and lead terms"
    assert restored.days == {31}
    assert restored.title_letters == "누리전자2분기영업이익1조2천억원반도체회복"


def test_restored_posts_share_their_terms_strings(make_posts):
    from newsrank.stories.assign import StoryAssigner

    make_posts(2, title="누리전자 반도체 공장 증설", body_text="누리전자가 반도체 공장을 늘린다.")
    StoryAssigner().assign_pending()
    restarted = StoryAssigner()
    restarted._warm()
    one, other = (post.features for post in restarted.grouper.posts.values())
    term = next(t for t in one.title if t == "반도체")
    assert any(t is term for t in other.title)  # one string, not one per restored post


def test_an_assigner_catches_up_with_posts_another_placed_without_warming_again(
    make_posts, monkeypatch
):
    from newsrank.stories.assign import StoryAssigner

    report = dict(
        title="누리전자 2분기 영업이익 1조2천억원…반도체 회복",
        body_text="누리전자가 2분기 영업이익 1조2천억원을 냈다고 공시했다.",
    )
    ours, theirs = StoryAssigner(), StoryAssigner()
    make_posts(1, title="가람시 새 다리 개통", body_text="가람시 새 다리가 열렸다.")
    assert ours.assign_pending() == 1
    (placed_by_them,) = make_posts(1, **report)
    assert theirs.assign_pending() == 1
    warmed = []
    monkeypatch.setattr(ours, "_warm", lambda: warmed.append(True))
    (follow_up,) = make_posts(1, **report | {"url": "https://garam.example/follow-up"})
    assert ours.assign_pending() == 1
    assert not warmed, "restored the other crawler's post rather than rereading 72 hours"
    assert str(placed_by_them.number) in ours.grouper.posts
    follow_up.refresh_from_db()
    placed_by_them.refresh_from_db()
    assert follow_up.story_id == placed_by_them.story_id


def test_a_story_a_post_starts_is_written_as_its_recount_would_leave_it(make_posts):
    from newsrank.stories.assign import StoryAssigner, refresh_story

    make_posts(1, title="가람시 새 다리 개통", body_text="가람시 새 다리가 열렸다.")
    assigner = StoryAssigner(details=False)
    assert assigner.assign_pending() == 1
    fields = ("headline", "first_at", "newest_at", "posts_count", "outlets_count", "rank_key")
    (started,) = Story.objects.values(*fields)
    refresh_story(Post.objects.get().story_id, assigner.grouper)
    assert Story.objects.values(*fields).get() == started
    assert started["posts_count"] == started["outlets_count"] == 1


def test_a_failed_write_makes_the_assigner_warm_up_again(make_posts, monkeypatch):
    from newsrank.stories.assign import StoryAssigner

    make_posts(1, title="가람시 새 다리 개통", body_text="가람시 새 다리가 열렸다.")
    assigner = StoryAssigner(details=False)

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(assigner, "_write", fail)
    with pytest.raises(RuntimeError):
        assigner.assign_pending()
    assert assigner.grouper is None, "its grouper holds a post the database does not"
    assert not Story.objects.exists(), "the story the post started went with its transaction"
    monkeypatch.undo()
    assert assigner.assign_pending() == 1
    post = Post.objects.get()
    assert not post.story_pending and Story.objects.get().pk == post.story_id


def test_a_renamed_outlet_is_read_again_within_a_minute(make_posts, monkeypatch):
    from newsrank.stories import assign

    (post,) = make_posts(1)
    assigner = assign.StoryAssigner(details=False)
    assert assigner._outlet(post.outlet_id).name == post.outlet.name
    post.outlet.name = "가람새 일보"
    post.outlet.save()
    assert assigner._outlet(post.outlet_id).name != "가람새 일보", "kept for a minute"
    monkeypatch.setattr(assign, "OUTLETS_FOR", 0.0)
    assert assigner._outlet(post.outlet_id).name == "가람새 일보"
