"""SQLite: an entry's post number is its table's rowid.

Django declares the key of `search_entry` (a one-to-one key to a post) as `bigint PRIMARY KEY`,
which SQLite keeps as a separate unique index beside the table's own rowid: reading an entry by
its post number went down two B-trees, the index and then the table. As `integer PRIMARY KEY`
the post number is the rowid, so a lookup goes down the table alone, entries lie in post order,
and the index is gone. On the 1,000,000-post bench database, reading the entries of a ranked
search's 1,000 candidates took 10.8 ms with its FTS5 walk before and 8.1 after (one outlet's
posts, p50; `backends.SQLiteBackend.numbers` now reads them in the same statement).

The table is copied in post order, the old one dropped (its triggers and index with it), and
the copy given its name, its index and the FTS5 triggers of 0001 back; the FTS5 index itself is
keyed by post number and does not change. PostgreSQL: nothing here (its key is its own index
there, and the heap has no rowid).

Note: a later migration that makes Django rebuild this table on SQLite writes `bigint` again
(see also 0001's note on the triggers); it must redo this.
"""

import importlib

from django.db import migrations

initial = importlib.import_module("newsrank.search.migrations.0001_initial")
TRIGGERS = [sql for sql in initial.FORWARD_SQLITE if sql.startswith("CREATE TRIGGER")]
COLUMNS = "post_id, title, title_extra, body, body_extra, analyzer"


def rebuild(key_type: str):
    """Rebuild `search_entry` with its post number declared as `key_type`."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute(
            'CREATE TABLE "search_entry_new" ('
            f'"post_id" {key_type} NOT NULL PRIMARY KEY'
            ' REFERENCES "board_post" ("number") DEFERRABLE INITIALLY DEFERRED,'
            ' "title" text NOT NULL, "title_extra" text NOT NULL, "body" text NOT NULL,'
            ' "body_extra" text NOT NULL,'
            ' "analyzer" smallint unsigned NOT NULL CHECK ("analyzer" >= 0))'
        )
        schema_editor.execute(
            f"INSERT INTO search_entry_new ({COLUMNS})"
            f" SELECT {COLUMNS} FROM search_entry ORDER BY post_id"
        )
        schema_editor.execute("DROP TABLE search_entry")
        schema_editor.execute("ALTER TABLE search_entry_new RENAME TO search_entry")
        schema_editor.execute(
            'CREATE INDEX "search_entry_analyzer" ON "search_entry" ("analyzer", "post_id")'
        )
        for trigger in TRIGGERS:
            schema_editor.execute(trigger)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0013_sqlite_entries_of_version_6")]

    operations = [migrations.RunPython(rebuild("integer"), rebuild("bigint"))]
