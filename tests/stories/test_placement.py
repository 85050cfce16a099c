"""Storing placed posts: the same rows on SQLite and PostgreSQL (one statement there)."""

import pytest

from newsrank.board.models import Post
from newsrank.stories import placement
from newsrank.stories.models import PostFeatures, Story

pytestmark = pytest.mark.django_db


def features_row(post, **fields) -> PostFeatures:
    values = dict(title_terms=["누리호", "발사"], lead_terms=["고흥"], days=[31], at=post.when)
    return PostFeatures(post=post, **values | fields)


def test_a_started_story_is_stored_with_its_post_features_and_placement(make_posts):
    (post,) = make_posts(1)
    story = Story(headline=post.title, first_at=post.when, newest_at=post.when, posts_count=1)
    story_id = placement.store_started(story, post, features_row(post), ["요약 문장."])
    stored = Story.objects.get()
    assert stored.pk == story_id and stored.headline == post.title and stored.posts_count == 1
    assert stored.created_at is not None and stored.readers == 0
    post.refresh_from_db()
    assert (post.story_id, post.story_pending, post.summary) == (story_id, False, ["요약 문장."])
    row = PostFeatures.objects.get(post=post)
    assert (row.title_terms, row.lead_terms, row.days, row.at) == (
        ["누리호", "발사"],
        ["고흥"],
        [31],
        post.when,
    )


def test_a_post_placed_again_gets_its_features_replaced(make_posts):
    (post,) = make_posts(1)
    first, second = (
        Story.objects.create(headline=title, first_at=post.when, newest_at=post.when)
        for title in ("가", "나")
    )
    placement.store(post, first.pk, features_row(post), [])
    placement.store(post, second.pk, features_row(post, title_terms=["다시"], flash=True), [])
    row = PostFeatures.objects.get()
    assert (row.title_terms, row.flash, row.days) == (["다시"], True, [31])
    assert Post.objects.values_list("story_id", "story_pending").get() == (second.pk, False)
