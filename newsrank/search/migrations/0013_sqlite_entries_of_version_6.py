"""SQLite: an entry that ANALYZER_VERSION 5 wrote is what version 6 writes there.

Version 6 added lexemes to PostgreSQL's documents only (a post's blocks as its outlet's,
`backends.PostgresBackend.block_lexeme`). Without this step the crawler would analyze every SQLite
entry again to write it unchanged, 100 a round: days for a million posts. The update trigger is
dropped around the update, so that FTS5 does not index the rows again either. PostgreSQL: nothing
here (the crawlers of version 6 added the outlet's blocks to its entries of version 5 by SQL).
Since version 7, which changed the terms, every older entry is analyzed again on both databases.
"""

import importlib

from django.db import migrations

initial = importlib.import_module("newsrank.search.migrations.0001_initial")
UPDATE_TRIGGER = next(sql for sql in initial.FORWARD_SQLITE if "search_entry_au" in sql)


def relabel(old: int, new: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute("DROP TRIGGER search_entry_au")
        schema_editor.execute(
            "UPDATE search_entry SET analyzer = %s WHERE analyzer = %s", [new, old]
        )
        schema_editor.execute(UPDATE_TRIGGER)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0012_postgres_window_scores")]

    operations = [migrations.RunPython(relabel(5, 6), relabel(6, 5))]
