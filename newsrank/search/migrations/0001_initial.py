"""The search entries, and the full-text index over them for the database in use.

SQLite: an external-content FTS5 table `search_fts` over `search_entry`, kept in step by three
triggers (https://sqlite.org/fts5.html#external_content_tables). Its tokenizer splits on ASCII
whitespace and punctuation only, keeping '.' and '-' inside terms, because the terms are already
analyzed. Note: if a later migration alters `search_entry` on SQLite, Django rebuilds the table and
drops its triggers; such a migration must recreate them (run FORWARD_SQLITE's trigger statements).

PostgreSQL: a `document` tsvector column with a GIN index, written by the backend.
"""

from django.db import migrations, models
import django.db.models.deletion

COLUMNS = "title, title_extra, body, body_extra"
NEW = "new.title, new.title_extra, new.body, new.body_extra"
OLD = "old.title, old.title_extra, old.body, old.body_extra"

FORWARD_SQLITE = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5(
        {COLUMNS}, content='search_entry', content_rowid='post_id',
        tokenize="ascii tokenchars '.-'")""",
    f"""CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.post_id, {NEW});
    END""",
    f"""CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.post_id, {OLD});
    END""",
    f"""CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.post_id, {OLD});
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.post_id, {NEW});
    END""",
]
BACKWARD_SQLITE = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_fts",
]
FORWARD_POSTGRES = [
    "ALTER TABLE search_entry ADD COLUMN document tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_entry_document ON search_entry USING gin (document)",
]
BACKWARD_POSTGRES = [
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS document",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("board", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="board.post",
                    ),
                ),
                ("title", models.TextField(blank=True)),
                ("title_extra", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("body_extra", models.TextField(blank=True)),
                ("analyzer", models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                "verbose_name": "검색 색인",
                "verbose_name_plural": "검색 색인",
                "db_table": "search_entry",
            },
        ),
        migrations.RunPython(
            _run({"sqlite": FORWARD_SQLITE, "postgresql": FORWARD_POSTGRES}),
            _run({"sqlite": BACKWARD_SQLITE, "postgresql": BACKWARD_POSTGRES}),
        ),
    ]
