"""PostgreSQL: `search_visible` reads a match's document only to rank it, by its post number.

Since migration 0006 a document (about 2.6 kB) lives in its row. The function carried it from the
GIN matches through two sorts (the newest matches, the visible ones), which then no longer fit in
work_mem and went to disk: 77 ms for a common term's two newest blocks at 1,000,000 posts. The
matches are now post numbers alone, and the ranking reads each candidate's document from its row
(whose page the match was just found on). Same arguments, same answers.
SQLite: nothing changes.
"""

import importlib

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FUNCTION = """
CREATE OR REPLACE FUNCTION search_visible(
    q tsquery, lim bigint, bound bigint, outlet bigint, since timestamptz, until timestamptz,
    rank_query tsquery, weights real[], now timestamptz, boost float8, boost_days float8,
    skip bigint, take bigint, low bigint, need bigint
) RETURNS TABLE (post_id bigint, "position" bigint, visible bigint, looked_up bigint)
LANGUAGE sql STABLE ROWS 20
SET enable_seqscan = off SET jit = off
AS $$
WITH matches AS MATERIALIZED (
    SELECT e.post_id FROM search_entry e
    WHERE e.document @@ q AND (outlet IS NULL OR e.post_id IN (
        SELECT p.number FROM board_post p  -- by the index post_outlet_listed
        WHERE p.outlet_id = outlet AND (p.outlet_id, p.number) >= (outlet, low) AND NOT p.hidden
    ))
    ORDER BY e.post_id + 0 DESC LIMIT lim
), visible AS MATERIALIZED (
    SELECT m.post_id, post.at FROM matches m
    CROSS JOIN LATERAL (
        SELECT coalesce(p.published_at, p.created_at) AS at FROM board_post p
        WHERE p.number = m.post_id AND NOT p.hidden
        AND p.outlet_id <> ALL (ARRAY(SELECT id FROM sources_outlet WHERE blocked))
        AND (outlet IS NULL OR p.outlet_id = outlet)
        AND (since IS NULL OR p.published_at >= since) AND (until IS NULL OR p.published_at < until)
        LIMIT 1
    ) post
    WHERE (SELECT count(*) FROM matches) >= need  -- a one-time filter: no lookup when too few
    ORDER BY m.post_id DESC LIMIT bound
), ordered AS (
    SELECT v.post_id, row_number() OVER (ORDER BY
        CASE WHEN rank_query IS NULL THEN 0 ELSE
            ts_rank_cd(weights, d.document, rank_query, 1) * (1.0 + boost / (1.0 +
            greatest(0.0, extract(epoch FROM now - v.at)::float8 / 86400.0) / boost_days))
        END DESC, v.post_id DESC) AS position
    FROM visible v
    LEFT JOIN LATERAL (  -- read only to rank: a sort by date reads no document
        SELECT e.document FROM search_entry e WHERE e.post_id = v.post_id AND rank_query IS NOT NULL
    ) d ON true
)
SELECT o.post_id, o.position, (SELECT count(*) FROM visible), (SELECT count(*) FROM matches)
FROM ordered o WHERE o.position = 1 OR o.position > skip AND o.position <= skip + take
UNION ALL
SELECT NULL, 0, 0, (SELECT count(*) FROM matches) WHERE NOT EXISTS (SELECT 1 FROM visible)
ORDER BY 2
$$
"""
previous = importlib.import_module("newsrank.search.migrations.0004_postgres_search_visible_need")

FORWARD = [FUNCTION]
BACKWARD = [previous.FUNCTION]


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_document_inline")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
