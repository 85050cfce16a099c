"""PostgreSQL: keep each entry's tsvector in its row (STORAGE MAIN) instead of in the TOAST table.

A search reads the document of every match it rechecks (a phrase, a weighted term) and of every
candidate it ranks. Out of line, each read is a lookup in the TOAST table's index and two of its
chunks (a document is about 2.6 kB after lz4); in the row it is the page the match was found on.
Measured on the newest 100,000 entries of `newsrank bench populate --posts 1000000` (best of six,
rechecking and ranking the newest matches of two blocks): a phrase 26 → 7 ms, ranking a common term
15 → 8 ms, an outlet's matches 11 → 5 ms. The other text columns still leave the row
(toast_tuple_target 128, migration 0002), so a row is about the size of its document; one too large
for a page still goes out of line. Rows written before this keep their storage until rewritten (the
crawler re-indexes the entries of an older analyzer; `newsrank search reindex` does all at once).
SQLite: nothing changes.
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FORWARD = ["ALTER TABLE search_entry ALTER COLUMN document SET STORAGE MAIN"]
BACKWARD = ["ALTER TABLE search_entry ALTER COLUMN document SET STORAGE EXTENDED"]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_search_entry_analyzer")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
