"""PostgreSQL: `search_window` finds the visible matches of one window of post numbers, ranked,
and the windows no longer overlap.

`search_visible` (migrations 0003–0007) searched windows that all ended at the newest post (2, 6,
20 blocks, then all), so each try read again the matches of the tries before it, and a window was
either too narrow (its matches read for nothing) or far too wide: a phrase whose 1,000 newest
matches lie in the newest 50,000 posts rechecked every post holding both words in 210,000. Now each
window lies below the one before, its matches are kept, and the next window is sized from how
often the query has matched so far (`PostgresBackend._newest_visible`). Each visible match comes
with its ts_rank_cd() (its document read by post number, from the page its match was just found
on), and its date as seconds since 1970 (1,000 timestamps cost Python 4 ms to parse); the
recency boost and the order are Python's. SQLite: nothing changes.
"""

import importlib

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FUNCTION = """
CREATE FUNCTION search_window(
    q tsquery, low bigint, high bigint, lim bigint, outlet bigint, since timestamptz,
    until timestamptz, rank_query tsquery, weights real[]
) RETURNS TABLE (post_id bigint, at float8, rank real, lowest bigint, matched bigint)
LANGUAGE sql STABLE ROWS 1000
SET enable_seqscan = off SET jit = off
AS $$
WITH matches AS MATERIALIZED (
    SELECT e.post_id FROM search_entry e
    -- "+ 0": the bounds filter what GIN found, they never make a scan of the primary key
    WHERE e.document @@ q AND e.post_id + 0 >= low AND e.post_id + 0 < high
    AND (outlet IS NULL OR e.post_id IN (
        SELECT p.number FROM board_post p  -- by the index post_outlet_listed
        WHERE p.outlet_id = outlet AND (p.outlet_id, p.number) >= (outlet, low)
        AND (p.outlet_id, p.number) < (outlet, high) AND NOT p.hidden
    ))
    ORDER BY e.post_id + 0 DESC LIMIT lim
)
SELECT NULL, NULL, NULL, min(m.post_id), count(*) FROM matches m
UNION ALL
SELECT m.post_id, post.at, (  -- a sort by date reads no document
    SELECT ts_rank_cd(weights, e.document, rank_query, 1) FROM search_entry e
    WHERE e.post_id = m.post_id AND rank_query IS NOT NULL
), NULL, NULL
FROM matches m
CROSS JOIN LATERAL (
    SELECT extract(epoch FROM coalesce(p.published_at, p.created_at))::float8 AS at
    FROM board_post p
    WHERE p.number = m.post_id AND NOT p.hidden
    AND p.outlet_id <> ALL (ARRAY(SELECT id FROM sources_outlet WHERE blocked))
    AND (outlet IS NULL OR p.outlet_id = outlet)
    AND (since IS NULL OR p.published_at >= since) AND (until IS NULL OR p.published_at < until)
) post
$$
"""
DROP_FUNCTION = (
    "DROP FUNCTION search_window(tsquery, bigint, bigint, bigint, bigint, timestamptz, timestamptz,"
    " tsquery, real[])"
)
DROP_PREVIOUS = (
    "DROP FUNCTION search_visible(tsquery, bigint, bigint, bigint, timestamptz, timestamptz,"
    " tsquery, real[], timestamptz, float8, float8, bigint, bigint, bigint, bigint)"
)
previous = importlib.import_module("newsrank.search.migrations.0007_postgres_rank_reads_documents")

FORWARD = [FUNCTION, DROP_PREVIOUS]
BACKWARD = [previous.FUNCTION, DROP_FUNCTION]


class Migration(migrations.Migration):
    dependencies = [("search", "0007_postgres_rank_reads_documents")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
