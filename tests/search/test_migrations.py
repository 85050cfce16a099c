"""Search migration 0013: SQLite's entries of ANALYZER_VERSION 5 are taken as version 6 (which
changed PostgreSQL's documents only), so that the crawler does not re-index them all."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from newsrank.search.backends import index_post, reindex_stale, search
from newsrank.search.models import SearchEntry


def migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("search", target)])


@pytest.mark.django_db(transaction=True)
def test_sqlite_entries_of_version_5_become_version_6_and_stay_searchable(make_posts):
    (post,) = make_posts(1, title="가상 기사 유일한 단어 꽃샘추위")
    index_post(post)
    try:
        migrate("0012_postgres_window_scores")
        written = 5 if connection.vendor == "sqlite" else 6  # PostgreSQL: nothing to undo
        assert SearchEntry.objects.get().analyzer == written
        SearchEntry.objects.update(analyzer=5)  # as version 5 wrote it
        migrate("0013_sqlite_entries_of_version_6")
    finally:
        migrate("0013_sqlite_entries_of_version_6")
    if connection.vendor == "sqlite":
        assert SearchEntry.objects.get().analyzer == 6
        assert reindex_stale() == 0
    else:  # the document lacks the outlet's blocks: the crawler adds them
        assert reindex_stale() == 1
    # The index still holds the post once, and its update trigger is back.
    assert [p.number for p in search("꽃샘추위").posts] == [post.number]
    post.title = "가상 기사 바뀐 제목 황사"
    post.save()
    index_post(post)
    assert [p.number for p in search("황사").posts] == [post.number]
    assert search("꽃샘추위").posts == []
