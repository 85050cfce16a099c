"""PostgreSQL: store the tsvector so that ranking reads it fast (SQLite: nothing changes).

Ranking reads each candidate's whole `document`; lz4 decompresses it about twice as fast as the
default pglz (measured on bench/search.py's posts). A server built without lz4 keeps pglz. A low
toast_tuple_target moves the wide values out of the row, so that scanning entries for their post
numbers touches small rows. Rows written before this keep their old storage until rewritten
(`newsrank search reindex`).
"""

from django.db import migrations

from newsrank.search.migrations._postgres import postgres_only

FORWARD = [
    """DO $$ BEGIN
        ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
    END $$""",
    "ALTER TABLE search_entry SET (toast_tuple_target = 128)",
]
BACKWARD = [
    "ALTER TABLE search_entry RESET (toast_tuple_target)",
    "ALTER TABLE search_entry ALTER COLUMN document SET COMPRESSION default",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(postgres_only(FORWARD), postgres_only(BACKWARD))]
