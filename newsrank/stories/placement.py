"""Storing a placed post: its grouping features, its story and cleared flag, and a story it starts.

`stories.assign` decides; this writes. On PostgreSQL each placement is one statement (a round trip
costs there about what the writes do); elsewhere the ORM's statements in a transaction.
"""

from __future__ import annotations

import functools

from django.db import connection, transaction

from newsrank.board.models import Post
from newsrank.stories.models import PostFeatures, Story


def store_started(story: Story, post: Post, row: PostFeatures, summary: list[str]) -> int:
    """Store a new story with the post that starts it; returns the story's id."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            story.save()
            store(post, story.pk, row, summary)
        return story.pk
    sql = _placement_sql(connection.vendor, started=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_values(story), *_values(row), *_post_values(summary, post)])
        return cursor.fetchone()[0]


def store(post: Post, story_id: int, row: PostFeatures, summary: list[str]) -> None:
    """Store a placed post's features (replaced if it was placed before: a crash before its flag
    was cleared) and its story, summary and cleared flag."""
    if connection.vendor == "postgresql":
        sql = _placement_sql(connection.vendor, started=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*_values(row), story_id, *_post_values(summary, post)])
        return
    # One upsert rather than update_or_create's select, savepoint and insert.
    PostFeatures.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["post"],
        update_fields=[f.name for f in PostFeatures._meta.concrete_fields if f.name != "post"],
    )
    Post.objects.filter(number=post.number).update(
        story_id=story_id, story_pending=False, summary=summary
    )


@functools.cache
def _placement_sql(vendor: str, *, started: bool) -> str:
    """PostgreSQL: a placement's writes as one statement (`store`'s upsert and update,
    and with `started` the new story's insert first), as a round trip costs more there than the
    writes: data-modifying WITH clauses all run, in one snapshot, whatever the query reads."""
    quote = connection.ops.quote_name

    def insert(model) -> str:
        columns = ", ".join(quote(f.column) for f in _fields(model))
        return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({_marks(model)})"

    updates = ", ".join(
        f"{quote(f.column)} = EXCLUDED.{quote(f.column)}"
        for f in _fields(PostFeatures)
        if not f.primary_key
    )
    features = f"{insert(PostFeatures)} ON CONFLICT ({quote('post_id')}) DO UPDATE SET {updates}"

    def post(story: str) -> str:
        return (
            f"UPDATE {quote(Post._meta.db_table)} SET {quote('story_id')} = {story}, "
            f"{quote('story_pending')} = false, {quote('summary')} = %s WHERE {quote('number')} = %s"
        )

    if not started:
        return f"WITH features AS ({features}) {post('%s')}"
    story_id = quote("id")
    return (
        f"WITH story AS ({insert(Story)} RETURNING {story_id}), features AS ({features}) "
        f"{post(f'(SELECT {story_id} FROM story)')} RETURNING {quote('story_id')}"
    )


def _fields(model) -> list:
    """The columns an insert of `model` writes: all but an auto-incremented key."""
    return [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]


def _marks(model) -> str:
    return ", ".join(["%s"] * len(_fields(model)))


def _values(obj) -> list:
    """`obj`'s values for an insert, as the ORM would send them (auto_now_add filled in)."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in _fields(type(obj))]


def _post_values(summary: list[str], post: Post) -> list:
    return [Post._meta.get_field("summary").get_db_prep_save(summary, connection), post.number]
