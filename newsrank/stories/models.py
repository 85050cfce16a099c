"""Stories: the posts of many outlets that report one event, and what grouping keeps per post."""

from __future__ import annotations

from django.db import models

from newsrank.board.links import number_link
from newsrank.stories import rank


class StoryQuerySet(models.QuerySet):
    def live(self):
        """Stories that hold posts (a story merged into another holds none)."""
        return self.filter(merged_into__isnull=True, posts_count__gt=0)

    def ranked(self):
        """Live stories, most important now first: rank_key orders them as the score does at any
        moment (rank.rank_key), so no re-sort by score is needed."""
        return self.live().order_by("-rank_key", "-pk")


class Story(models.Model):
    headline = models.CharField("대표 제목", max_length=500)
    first_at = models.DateTimeField("첫 기사")
    newest_at = models.DateTimeField("최근 기사", db_index=True)
    posts_count = models.PositiveIntegerField("기사 수", default=0)
    outlets_count = models.PositiveIntegerField("언론사 수", default=0)
    readers = models.PositiveIntegerField("독자 수", default=0)
    # rank.rank_key: orders stories as the ranking score does at any moment, so it can be indexed.
    rank_key = models.FloatField(default=0, db_index=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "이슈"

    def __str__(self) -> str:
        return self.headline

    def score(self, now) -> rank.Score:
        """This story's ranking score at `now`, with its parts (rank.story_score)."""
        return rank.story_score(
            self.outlets_count, self.posts_count, self.newest_at, self.readers, now
        )

    def get_absolute_url(self) -> str:
        return number_link("stories:story")(self.pk)  # as reverse() gives, without one per link


class PostFeatures(models.Model):
    """A post's grouping terms, kept so a crawler can rebuild its grouping state without Kiwi."""

    post = models.OneToOneField(
        "board.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    title_terms = models.JSONField(default=list)
    lead_terms = models.JSONField(default=list)
    flash = models.BooleanField(default=False)
    opinion = models.BooleanField(default=False)
    # Features.entities: the names, Latin words and counted numbers among the terms above.
    entity_terms = models.JSONField(default=list)
    days = models.JSONField(default=list)  # Features.days: the days of the month it names
    # Trending: the post's keywords (trending.document_terms) and its time (published, else
    # collected), indexed so a window of recent posts is read without touching the posts table.
    trend_terms = models.JSONField(default=list)
    at = models.DateTimeField(null=True, blank=True, db_index=True)


class TrendSnapshot(models.Model):
    """The trending keywords as the crawler last computed them (`trends.refresh_trends`).

    One row: computing them reads up to a week of posts, so readers' requests only read this.
    """

    computed_at = models.DateTimeField()
    trends = models.JSONField(default=list)  # [{"term", "recent_count", "expected", "score"}]

    def __str__(self) -> str:
        return f"trends of {self.computed_at:%Y-%m-%d %H:%M}"


class PostViewQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(viewed_at__gte=moment)


class PostView(models.Model):
    """One reader (`visitors.reader_key`, a day's keyed hash) who opened a post on one day.

    The unique constraint is what makes a view count once: every process inserts the pairs it saw
    with ignore-conflicts, so a reload, a second process or a repeated flush adds nothing.
    """

    post = models.ForeignKey("board.Post", on_delete=models.CASCADE, related_name="+")
    reader = models.CharField(max_length=32)
    day = models.DateField()
    viewed_at = models.DateTimeField(db_index=True)

    objects = PostViewQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reader", "day"], name="post_view_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.post_id} {self.day} {self.reader[:8]}"
