"""PostgreSQL: `search_visible`, one call that finds, checks and ranks the newest matches.

Asked plainly (`… WHERE document @@ q ORDER BY post_id DESC LIMIT n`), the planner walks the
primary key backwards and tests each entry's document, reading and decompressing every tsvector it
passes (at 10,000 posts, a common term: 4,700 documents, 130 ms). Here the order is on
`post_id + 0`, which no index gives, and sequential scans are off, so the GIN bitmap is the only
way left, and it reads no document for a query of plain terms. Each match is then checked against
its post (visible, outlet, dates) by one index lookup (LATERAL … LIMIT 1 keeps the planner from
hashing the whole post table instead), and only the visible ones are ranked (ts_rank_cd() with the
recency boost); the caller gets one page of numbers and the counts. A function's SET clauses hold
for its own statement only, so the settings cannot leak into the rest of a request's transaction,
and the search is one round trip instead of five. JIT is off: on a large table the estimated cost
of a short search can pass jit_above_cost, and compiling costs more than it saves.

The GIN index keeps a pending list of new entries that every search reads through (fastupdate);
a 512 kB limit (the default is 4 MB) keeps that read short while the crawler inserts.
SQLite: nothing changes.
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FUNCTION = """
CREATE OR REPLACE FUNCTION search_visible(
    q tsquery, lim bigint, bound bigint, outlet bigint, since timestamptz, until timestamptz,
    rank_query tsquery, weights real[], now timestamptz, boost float8, boost_days float8,
    skip bigint, take bigint, low bigint
) RETURNS TABLE (post_id bigint, "position" bigint, visible bigint, looked_up bigint)
LANGUAGE sql STABLE ROWS 20
SET enable_seqscan = off SET jit = off
AS $$
WITH matches AS MATERIALIZED (
    SELECT e.post_id, e.document FROM search_entry e
    WHERE e.document @@ q AND (outlet IS NULL OR e.post_id IN (
        SELECT p.number FROM board_post p  -- by the index post_outlet_listed
        WHERE p.outlet_id = outlet AND (p.outlet_id, p.number) >= (outlet, low) AND NOT p.hidden
    ))
    ORDER BY e.post_id + 0 DESC LIMIT lim
), visible AS MATERIALIZED (
    SELECT m.post_id, m.document, post.at FROM matches m
    CROSS JOIN LATERAL (
        SELECT coalesce(p.published_at, p.created_at) AS at FROM board_post p
        WHERE p.number = m.post_id AND NOT p.hidden
        AND p.outlet_id <> ALL (ARRAY(SELECT id FROM sources_outlet WHERE blocked))
        AND (outlet IS NULL OR p.outlet_id = outlet)
        AND (since IS NULL OR p.published_at >= since) AND (until IS NULL OR p.published_at < until)
        LIMIT 1
    ) post
    ORDER BY m.post_id DESC LIMIT bound
), ordered AS (
    SELECT v.post_id, row_number() OVER (ORDER BY
        CASE WHEN rank_query IS NULL THEN 0 ELSE
            ts_rank_cd(weights, v.document, rank_query, 1) * (1.0 + boost / (1.0 +
            greatest(0.0, extract(epoch FROM now - v.at)::float8 / 86400.0) / boost_days))
        END DESC, v.post_id DESC) AS position
    FROM visible v
)
SELECT o.post_id, o.position, (SELECT count(*) FROM visible), (SELECT count(*) FROM matches)
FROM ordered o WHERE o.position = 1 OR o.position > skip AND o.position <= skip + take
ORDER BY o.position
$$
"""
PENDING_LIST_KB = 512

FORWARD = [
    FUNCTION,
    f"ALTER INDEX IF EXISTS search_entry_document SET (gin_pending_list_limit = {PENDING_LIST_KB})",
]
BACKWARD = [
    "ALTER INDEX IF EXISTS search_entry_document RESET (gin_pending_list_limit)",
    "DROP FUNCTION IF EXISTS search_visible(tsquery, bigint, bigint, bigint, timestamptz, timestamptz, tsquery, real[], timestamptz, float8, float8, bigint, bigint, bigint)",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_storage")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
