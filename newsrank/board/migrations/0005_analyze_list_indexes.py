"""SQLite: statistics for the new list indexes on a database that had statistics before.

Dropping the old list indexes (0004) drops their rows in `sqlite_stat1`; with statistics for some
indexes of a table and none for the new ones, SQLite's planner can read a 1,000,000-post board by
outlet and sort it for a 20-row page (seen on `newsrank bench populate`'s database). A database
never analyzed is left alone: without any statistics the planner picks the list indexes.
PostgreSQL keeps per-column statistics, which new indexes do not need.
"""

from django.db import migrations


def analyze(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("ANALYZE board_post")


class Migration(migrations.Migration):
    dependencies = [("board", "0004_list_indexes")]

    operations = [migrations.RunPython(analyze, migrations.RunPython.noop)]
