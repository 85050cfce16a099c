"""PostgreSQL: an entry's document stays in its row uncompressed when the row fits in a page.

A search ranks each of its candidates (up to 1,000) with ts_rank_cd(), which reads the whole
document. With toast_tuple_target 128 (migration 0002) every row was over the target, so after the
text columns had left the row the document (STORAGE MAIN, migration 0006) was compressed as well:
each rank first decompressed about 5.7 kB of lz4 (a document barely compresses: 4.6 kB). At 8160,
PostgreSQL's highest, a row is left as it is while it fits in a page, and only a larger one sends
its text columns to the TOAST table, then compresses its document (one in nine of the bench's,
the longest articles). On the newest 100,000 entries of the 1,000,000-post bench database, the
1,000 newest matches of a common term found and ranked: 11.0–15.4 → 9.9–11.1 ms; the entries take
9% more space (1.10 rows a page instead of 1.46, the TOAST table halved). Rows written before
keep their storage until rewritten (`newsrank search reindex`). SQLite: nothing changes.
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FORWARD = ["ALTER TABLE search_entry SET (toast_tuple_target = 8160)"]
BACKWARD = ["ALTER TABLE search_entry SET (toast_tuple_target = 128)"]


class Migration(migrations.Migration):
    dependencies = [("search", "0010_postgres_window_prefetch")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
