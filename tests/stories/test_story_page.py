"""/story/<id>: a story's page, and where the links to a story merged into another lead."""

from __future__ import annotations

from django.utils import timezone

from newsrank.stories.models import Story


def story(**fields) -> Story:
    now = timezone.now()
    return Story.objects.create(headline="가상 이슈", first_at=now, newest_at=now, **fields)


def test_a_merged_story_moves_for_good_to_the_one_that_absorbed_it(client, make_posts):
    survivor = story(posts_count=2)
    make_posts(2, story=survivor)
    middle = story(merged_into=survivor)
    absorbed = story(merged_into=middle)  # merged before `middle` was merged in turn
    for old in (absorbed, middle):
        response = client.get(f"/story/{old.pk}")
        assert response.status_code == 301
        assert response["Location"] == f"/story/{survivor.pk}"
    assert client.get(f"/story/{survivor.pk}").status_code == 200


def test_a_story_without_posts_to_show_is_not_found(client, db):
    assert client.get(f"/story/{story().pk}").status_code == 404
    assert client.get("/story/999999").status_code == 404
