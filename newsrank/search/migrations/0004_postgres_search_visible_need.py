"""PostgreSQL: `search_visible` learns `need`, so that a window too narrow to fill the candidates
costs only the finding of its matches.

The caller tries windows of the newest blocks in turn (`PostgresBackend._newest_matches`). A window
holding fewer than `need` matches is not the last one tried: its posts were looked up one by one
and its documents ranked (two thirds of the call) only to be thrown away. Now such a window
answers with the count of its matches alone. Every call also answers at least one row: when no
match is visible, a row without a post (position 0) carries the counts, so that the caller knows
how many matches the window held.
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
    WHERE (SELECT count(*) FROM matches) >= need  -- a one-time filter: no lookup when too few
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
UNION ALL
SELECT NULL, 0, 0, (SELECT count(*) FROM matches) WHERE NOT EXISTS (SELECT 1 FROM visible)
ORDER BY 2
$$
"""
OLD_SIGNATURE = (
    "search_visible(tsquery, bigint, bigint, bigint, timestamptz, timestamptz, tsquery, real[],"
    " timestamptz, float8, float8, bigint, bigint, bigint"
)
previous = importlib.import_module("newsrank.search.migrations.0003_postgres_search_visible")

FORWARD = [f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE})", FUNCTION]
BACKWARD = [f"DROP FUNCTION IF EXISTS {OLD_SIGNATURE}, bigint)", previous.FUNCTION]


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_search_visible")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
