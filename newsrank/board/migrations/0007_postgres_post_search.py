"""PostgreSQL: `post_search`, each post's number with what a search checks: hidden, outlet, dates.

A search's window (search migration 0009, `search_window`) checks each of up to 1,000 matches
against its post: visible, of an unblocked outlet, within the dates, and takes its date. Through
`post_listed` (number and outlet only) that was an index step and then the post's row, a page of a
table of bodies that is seldom in memory; through this index, which holds them all, it is an
index-only scan of a few hot pages (56 MB at 1,000,000 posts). It covers every post, hidden ones
too, so that the lists keep reading `post_listed`, the smaller index of their own predicate (as a
partial index of the same rows it tied with `post_listed` in test-sized tables). On the
1,000,000-post bench database, a post 6 → 3 µs; in-process, 60 queries a class, each run with and
without index-only scans in turn, p50 / p95 ms: 1 term 20.6 / 26.7 → 18.9 / 24.3, 3 terms 29.3 /
39.6 → 27.0 / 37.8, an outlet and 30 days 39.4 / 52.8 → 30.0 / 38.0 (bench/RESULTS.md). SQLite has
had its own `post_search` since migration 0006; like that one, not a model index.
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only


class Migration(migrations.Migration):
    dependencies = [("board", "0006_sqlite_post_search")]

    operations = [
        migrations.RunPython(
            postgres_only(
                [
                    "CREATE INDEX IF NOT EXISTS post_search ON board_post (number)"
                    " INCLUDE (hidden, outlet_id, published_at, created_at)"
                ]
            ),
            postgres_only(["DROP INDEX IF EXISTS post_search"]),
        )
    ]
