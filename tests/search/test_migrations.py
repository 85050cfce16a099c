"""Search migrations 0013: SQLite's entries of ANALYZER_VERSION 5 are taken as version 6 (which
changed PostgreSQL's documents only), so that the crawler does not re-index them all; 0014:
SQLite's entries are keyed by their table's rowid."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from newsrank.search.backends import index_post, reindex_stale, remove_post, search
from newsrank.search.models import SearchEntry

LATEST = "0014_sqlite_entry_rowid"


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
        SearchEntry.objects.update(analyzer=5)  # as version 5 wrote it
        migrate("0013_sqlite_entries_of_version_6")
    finally:
        migrate(LATEST)
    if connection.vendor == "sqlite":
        assert SearchEntry.objects.get().analyzer == 6
    assert reindex_stale() == 1  # version 7 changed the terms: the crawler analyzes it again
    assert reindex_stale() == 0
    # The index still holds the post once, and its update trigger is back.
    assert [p.number for p in search("꽃샘추위").posts] == [post.number]
    post.title = "가상 기사 바뀐 제목 황사"
    post.save()
    index_post(post)
    assert [p.number for p in search("황사").posts] == [post.number]
    assert search("꽃샘추위").posts == []


def entry_key_type() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT type FROM pragma_table_info('search_entry') WHERE name = 'post_id'")
        return cursor.fetchone()[0].lower()


@pytest.mark.django_db(transaction=True)
def test_sqlite_entries_become_keyed_by_rowid_and_the_index_stays_in_step(make_posts):
    first, second = make_posts(2, title="가상 기사 유일한 단어 꽃샘추위")
    for post in (first, second):
        index_post(post)
    try:
        migrate("0013_sqlite_entries_of_version_6")
        if connection.vendor == "sqlite":
            assert entry_key_type() == "bigint"  # as Django declares it
        migrate(LATEST)
    finally:
        migrate(LATEST)
    if connection.vendor == "sqlite":
        assert entry_key_type() == "integer"
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, post_id FROM search_entry ORDER BY post_id")
            assert cursor.fetchall() == [(p.number, p.number) for p in (first, second)]
    assert {p.number for p in search("꽃샘추위").posts} == {first.number, second.number}
    # The triggers are back: an update and a removal reach the full-text index.
    first.title = "가상 기사 바뀐 제목 황사"
    first.save()
    index_post(first)
    remove_post(second.number)
    assert [p.number for p in search("황사").posts] == [first.number]
    assert search("꽃샘추위").posts == []
