"""A post's analyzed terms, the rows that the full-text index (FTS5 or tsvector) is built over."""

from __future__ import annotations

from django.db import models


class SearchEntry(models.Model):
    """One indexed post: its terms space-joined, as `newsrank.search.analyzer` made them.

    `title`/`body` hold the parts in text order (phrases match there), `title_extra`/`body_extra`
    the compounds and stems. On SQLite the FTS5 table `search_fts` uses this table as its external
    content, kept in step by triggers, and the post number is the table's rowid (search migration
    0014); on PostgreSQL the column `document` (a weighted tsvector with a GIN index, added by
    the migration) is written beside these fields by the backend.
    A deleted post takes its entry with it; a hidden post's entry is removed by `index_post`.
    """

    post = models.OneToOneField(
        "board.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    title = models.TextField(blank=True)
    title_extra = models.TextField(blank=True)
    body = models.TextField(blank=True)
    body_extra = models.TextField(blank=True)
    analyzer = models.PositiveSmallIntegerField(default=0)  # analyzer.ANALYZER_VERSION

    class Meta:
        db_table = "search_entry"
        verbose_name = verbose_name_plural = "검색 색인"
        # The entries an older analyzer wrote, newest first, for the crawler to re-index.
        indexes = [models.Index(fields=["analyzer", "post"], name="search_entry_analyzer")]

    def __str__(self) -> str:
        return f"search entry {self.post_id}"
