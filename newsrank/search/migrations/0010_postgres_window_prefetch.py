"""PostgreSQL: `search_window` asks the operating system for the pages of its matches ahead.

A window's matches are read by a bitmap heap scan, one 8 kB page each (a row holds its document),
in the order of the table. PostgreSQL reads them one at a time unless `effective_io_concurrency`
lets it announce the next ones (posix_fadvise); the default, 1 up to PostgreSQL 17 (the bench's is
15), keeps one ahead. Pages that are not in memory (a big index, a machine that pages out cold
memory) are then read one disk wait after another. At 64 they are fetched side by side. On the
1,000,000-post bench database, from a dropped page cache, in-process, 30 queries a class, p95 ms at
1 and at 64: 1 term 119–243 → 48–49, 3 terms 156–267 → 66–73, an outlet and 30 days 162–247 →
62–66; from memory, 3 terms and outlets a little faster, 1 term 1 ms slower at the median
(bench/RESULTS.md). For this function only: the server's setting is the operator's. Where the
platform has no posix_fadvise (macOS, before PostgreSQL 18), PostgreSQL refuses any value but 0,
and nothing changes. A later `CREATE OR REPLACE FUNCTION search_window` replaces the function's
settings with its own SET clauses: it must set this one again. SQLite: nothing changes.
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only, prefetching

SIGNATURE = (
    "search_window(tsquery, bigint, bigint, bigint, bigint, timestamptz, timestamptz, tsquery,"
    " real[])"
)
FORWARD = prefetching(SIGNATURE)
BACKWARD = f"ALTER FUNCTION {SIGNATURE} RESET effective_io_concurrency"


class Migration(migrations.Migration):
    dependencies = [("search", "0009_postgres_rank_by_tuple")]

    operations = [migrations.RunPython(postgres_only([FORWARD]), postgres_only([BACKWARD]))]
