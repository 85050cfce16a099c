"""Posts: one per canonical article URL, numbered site-wide."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver

from newsrank.board.links import number_link
from newsrank.sources.models import Feed, Outlet
from newsrank.sources.sections import SECTIONS


class PostQuerySet(models.QuerySet):
    def visible(self):
        """Posts a reader may see: not hidden, outlet not blocked."""
        return self.filter(hidden=False, outlet__blocked=False)

    def listed(self):
        """The visible posts, as the board lists read them: the blocked outlets as a subquery
        rather than a join, so that one index (`post_listed`, `post_section_listed`,
        `post_outlet_listed`) both filters and orders a list (tests/board/test_queries.py)."""
        return self.filter(hidden=False).exclude(
            outlet__in=Outlet.objects.filter(blocked=True).values("pk")
        )

    def newest_first(self):
        return self.order_by("-number")

    def first_stored_since(self, moment) -> int | None:
        """The lowest post number stored at or after `moment`, or None.

        created_at has no index, and a year is 10 million posts, so this does not filter on it:
        post numbers grow in the order posts are stored, so a binary search over the primary key
        finds the boundary in about 25 index lookups. Posts stored by concurrent crawlers may
        interleave by a few seconds.
        """
        posts = self.order_by("number").values_list("number", "created_at")
        newest = posts.reverse().first()
        if newest is None or newest[1] < moment:
            return None
        # The smallest `low` whose first post at or after it was stored after `moment`.
        low, high = posts.first()[0], newest[0]
        while low < high:
            middle = (low + high) // 2
            number, created = posts.filter(number__gte=middle).first()
            if created >= moment:
                high = middle
            else:
                low = number + 1
        return low


class Post(models.Model):
    # The site-wide 번호. An auto-increment key only grows: SQLite tables Django creates use
    # AUTOINCREMENT, so a deleted post's number is never handed out again; PostgreSQL uses a sequence.
    number = models.BigAutoField("번호", primary_key=True)
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="posts", verbose_name="언론사"
    )
    feed = models.ForeignKey(
        Feed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    url = models.URLField("원문 주소", max_length=1000, unique=True)
    guid = models.CharField(max_length=500, blank=True, db_index=True)
    section = models.CharField("게시판", max_length=20, blank=True, choices=SECTIONS)

    title = models.CharField("제목", max_length=500)
    subtitles = models.JSONField("부제", default=list, blank=True)
    authors = models.JSONField("기자", default=list, blank=True)
    body_html = models.TextField("본문 HTML", blank=True)
    body_text = models.TextField("본문", blank=True)
    images = models.JSONField("사진", default=list, blank=True)
    lang = models.CharField(max_length=10, blank=True)
    credit = models.CharField(
        "기사 제공", max_length=100, blank=True
    )  # e.g. 연합뉴스 of a lead tag
    content_hash = models.CharField(max_length=64, blank=True)

    published_at = models.DateTimeField("발행", null=True, blank=True)
    modified_at = models.DateTimeField("수정", null=True, blank=True)
    created_at = models.DateTimeField("수집", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    hidden = models.BooleanField("숨김", default=False)
    # Set when the post is stored, changed or hidden; the crawler's indexer clears it once the
    # search index has caught up, so a crash between the two loses nothing.
    search_pending = models.BooleanField(default=True)
    story = models.ForeignKey(
        "stories.Story", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    story_pending = models.BooleanField(default=True)  # cleared once grouping has placed it
    summary = models.JSONField("요약", default=list, blank=True)  # up to three sentences

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = verbose_name_plural = "게시글"
        indexes = [
            # The lists (board/lists.py): partial indexes over the visible posts (a query's
            # `NOT hidden` is what the index is defined by, so SQLite and PostgreSQL use it), with
            # the outlet column so that the index alone tells whether a post's outlet is blocked.
            # (`post_search`, board migrations 0006 for SQLite and 0007 for PostgreSQL, serves a
            # search's check of its matches against their posts.)
            models.Index(
                fields=["number", "outlet"], condition=models.Q(hidden=False), name="post_listed"
            ),
            models.Index(
                fields=["section", "number", "outlet"],
                condition=models.Q(hidden=False),
                name="post_section_listed",
            ),
            models.Index(
                fields=["outlet", "number"],
                condition=models.Q(hidden=False),
                name="post_outlet_listed",
            ),
            # The few hidden posts, for the lists' fingerprint.
            models.Index(fields=["number"], condition=models.Q(hidden=True), name="post_hidden"),
            models.Index(
                fields=["number"],
                condition=models.Q(search_pending=True),
                name="post_search_pending",
            ),
            models.Index(
                fields=["number"], condition=models.Q(story_pending=True), name="post_story_pending"
            ),
            models.Index(fields=["story", "-number"], name="post_story"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return number_link("board:post")(self.number)  # as reverse() gives, without one per link

    @property
    def paragraphs(self) -> list[str]:
        return [part for part in self.body_text.split("\n\n") if part.strip()]

    @property
    def when(self):
        """The time shown for the post: the outlet's publication time, else when we collected it."""
        return self.published_at or self.created_at


@receiver(post_delete, sender=Post)
def _forget_list_anchors(sender, **kwargs) -> None:
    """A deleted post changes the ranks the lists' anchors hold (board/lists.py)."""
    from newsrank.board.lists import forget_anchors

    forget_anchors()
