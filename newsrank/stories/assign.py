"""Placing new posts into stories: the crawler's side of `grouping.Grouper`, kept in the database.

A crawler keeps one Grouper in memory, warmed from the stored features of the recent posts (no
Kiwi needed), and places each post whose `story_pending` flag is set, oldest first. Several
crawlers on PostgreSQL take turns through an advisory lock; a crawler that finds posts placed by
another since its last turn restores them into its Grouper (and warms it again only if the other
merged stories it holds), so all of them follow one history.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.stories import placement, rank
from newsrank.stories.features import (
    Features,
    interned,
    is_forecast,
    post_features,
    title_letters,
)
from newsrank.stories.grouping import Grouper, Item
from newsrank.stories.models import PostFeatures, Story
from newsrank.stories.summary import summarize
from newsrank.stories.trending import document_terms

log = logging.getLogger(__name__)

WARM = timedelta(hours=72)  # the grouping's max story span: older posts can no longer be joined
LOCK_KEY = 0x6E657773  # "news": the PostgreSQL advisory lock of story assignment
BATCH = 200
OUTLETS_FOR = 60.0  # seconds the assigner keeps the outlets table it read


class StoryAssigner:
    """Places pending posts into stories; one per crawler process.

    `features` computes the grouping features of a batch of posts (default: `features_of`, one
    after another; a replay passes the same computation run in worker processes). `details`:
    also store each post's summary and trending terms, which the grouping does not need.
    """

    def __init__(
        self,
        *,
        features: Callable[[list[Post]], list[Features]] | None = None,
        details: bool = True,
    ) -> None:
        self.features = features or features_of
        self.details = details
        self.grouper: Grouper | None = None
        self.last_seen = 0  # the highest post number this grouper has placed or restored
        self.outlet_names: list[str] = []  # left out of trending terms: credits are no keywords
        self._placing: Post | None = None  # the post whose story `_new_story_id` may create
        self._started: int | None = None  # the story it created
        self._outlets: dict[int, Outlet] = {}
        self._outlets_read = 0.0

    def assign_pending(self, limit: int = BATCH) -> int:
        """Place up to `limit` pending posts, oldest first; returns how many were placed."""
        with _assignment_lock():
            newest, posts = self._turn(limit)
            newest_placed = newest[0] if newest else 0
            if self.grouper is None or not self._in_step(newest_placed, newest):
                self._warm()
            elif newest_placed != self.last_seen:
                self._catch_up(newest_placed)  # another crawler placed posts since our last turn
            if posts and self.details:
                self.outlet_names = list(Outlet.objects.values_list("name", flat=True))
            for post, features in zip(posts, self.features(posts), strict=True):
                self._place(post, features)
            return len(posts)

    def _turn(self, limit: int) -> tuple[tuple | None, list[Post]]:
        """The newest placed post's (number, story, title), None before the first, and the
        oldest `limit` pending posts with their outlets (from `_outlet`): one query, as a round
        trip to PostgreSQL costs about what its answer does."""
        sql, params = _compiled("turn", limit)
        rows = list(Post.objects.raw(sql, params))  # one row with no post when none is pending
        first = rows[0]
        newest = None
        if first.newest_number is not None:
            newest = (first.newest_number, first.newest_story, first.newest_title)
        posts = [post for post in rows if post.number is not None]
        for post in posts:
            post.outlet = self._outlet(post.outlet_id)
        return newest, posts

    def _outlet(self, outlet_id: int) -> Outlet:
        """An outlet, from a table read again when it lacks one or is a minute old (a renamed
        outlet's name is dropped from features within a minute), not once per post."""
        outlet = self._outlets.get(outlet_id)
        if outlet is None or time.monotonic() - self._outlets_read > OUTLETS_FOR:
            self._outlets = {outlet.pk: outlet for outlet in Outlet.objects.all()}
            self._outlets_read = time.monotonic()
            outlet = self._outlets[outlet_id]
        return outlet

    def _in_step(self, newest_placed: int, newest: tuple | None) -> bool:
        """Whether the database still holds the history this grouper followed: its newest post
        is there, in the same story (not so after a restore, or the newest posts deleted).
        `newest`: the newest placed post's (number, story, title), which is that post unless
        another crawler placed posts since."""
        if newest_placed < self.last_seen:
            return False
        known = self.grouper.posts.get(str(self.last_seen))
        if known is None:
            return self.last_seen == 0
        if newest_placed == self.last_seen:
            row = newest[1:]  # one query fewer per turn: the usual case
        else:
            row = (
                Post.objects.filter(number=self.last_seen).values_list("story_id", "title").first()
            )
        return tuple(row or ()) == (known.story, known.item.title)

    def _warm(self) -> None:
        """A Grouper holding the stories of the last WARM hours, as the database has them."""
        self.grouper = Grouper(new_story_id=self._new_story_id)
        self.last_seen = 0
        # Through the index on PostFeatures.at (the post's time), not a scan of every post.
        self._restore(PostFeatures.objects.filter(at__gte=timezone.now() - WARM))
        self.last_seen = max(self.last_seen, _newest_placed())

    def _catch_up(self, newest_placed: int) -> None:
        """Restore the posts other crawlers placed since our last turn, instead of warming again
        (seconds at a million posts); warm again only if they merged stories we hold."""
        stories = self._restore(
            PostFeatures.objects.filter(post_id__gt=self.last_seen, post_id__lte=newest_placed)
        )
        absorbed = Story.objects.filter(merged_into__in=stories).values_list("pk", flat=True)
        if any(story in self.grouper.stories for story in absorbed):
            self._warm()
        self.last_seen = max(self.last_seen, newest_placed)

    def _restore(self, rows) -> set[int]:
        """Put placed posts' stored features back into the grouper; returns their stories."""
        # Plain tuples, without the post bodies: a warm-up reads tens of thousands of rows, and
        # a restored post's lead is only needed through the features stored from it.
        rows = (
            rows.filter(post__story__isnull=False)
            .order_by("post_id")
            .values_list(
                "post_id", "title_terms", "lead_terms", "flash", "opinion", "entity_terms", "days",
                "post__title", "post__outlet_id", "post__outlet__name", "post__published_at",
                "post__created_at", "post__story_id",
            )
        )  # fmt: skip
        stories = set()
        for row in rows.iterator(chunk_size=2000):
            number, title_terms, lead, flash, opinion, entities, days = row[:7]
            title, outlet, outlet_name, published, created, story = row[7:]
            features = Features(  # the terms interned, as `post_features` leaves them
                interned(title_terms),
                interned(lead),
                flash,
                opinion,
                entities=interned(entities),
                days=frozenset(days),
                # From the title, as `post_features` computes it: no column to keep in step.
                title_letters=title_letters(title),
                forecast=is_forecast(title),
            )
            item = Item(str(number), title, "", str(outlet), published or created, outlet_name)
            self.grouper.restore(item, features, story)
            stories.add(story)
            self.last_seen = max(self.last_seen, number)
        return stories

    def _place(self, post: Post, features: Features) -> None:
        summary, trend_terms = [], set()
        if self.details:
            summary = summarize(post.title, post.paragraphs, section=post.section)
            outlets = [*self.outlet_names, post.outlet.name, post.credit]
            trend_terms = document_terms(post.title, _lead(post), outlets=outlets)
        row = PostFeatures(
            post=post,
            title_terms=sorted(features.title),
            lead_terms=sorted(features.lead),
            flash=features.flash,
            opinion=features.opinion,
            entity_terms=sorted(features.entities),
            days=sorted(features.days),
            trend_terms=sorted(trend_terms),
            at=post.when,
        )
        merges_before = len(self.grouper.merges)
        try:
            # The story a post starts is written with the post, complete, by `_new_story_id`.
            self._placing, self._started = (post, row, summary), None
            story_id = self.grouper.add(_item(post), features=features)
            if story_id != self._started:
                self._write(post, story_id, row, summary, self.grouper.merges[merges_before:])
        except BaseException:
            self.grouper = None  # it may hold what the database does not: warm up again
            raise
        finally:
            self._placing = None
        self.last_seen = max(self.last_seen, post.number)

    def _write(self, post, story: int | Story, row, summary, merges) -> int:
        """Store a placed post's features and story, carry out the merges, refresh the story;
        returns the story's id. `story`: the id of the story the post joins, or the unsaved row
        of the one it starts, written complete (see `_new_story_id`) and with no merges."""
        if isinstance(story, Story):
            return placement.store_started(story, post, row, summary)
        with transaction.atomic():
            placement.store(post, story, row, summary)
            for survivor, absorbed in merges:
                Post.objects.filter(story_id=absorbed).update(story_id=survivor)
                Story.objects.filter(pk=absorbed).update(merged_into=survivor, posts_count=0)
                log.info("story %s merged into %s", absorbed, survivor)
            refresh_story(story, self.grouper)
        return story

    def _new_story_id(self) -> int:
        """A new story's row. Started by the post being placed (no merge comes with a new
        story), it is written with that post's placement, as `refresh_story` would leave it:
        most posts start a story, and this saves them the story's recount (two queries) and, on
        PostgreSQL, all but one statement."""
        if self._placing is None:
            now = timezone.now()
            return Story.objects.create(headline="", first_at=now, newest_at=now).pk
        post, row, summary = self._placing
        when = post.when
        story = Story(
            headline=post.title[:500],
            first_at=when,
            newest_at=when,
            posts_count=1,
            outlets_count=1,
            rank_key=rank.rank_key(1, 1, when, 0),
        )
        self._started = self._write(post, story, row, summary, [])
        return self._started


def _newest_placed() -> int:
    """The newest placed post's number (0 before the first)."""
    sql, params = _compiled("newest placed")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else 0


@functools.cache
def _sql(vendor: str, name: str, limit: int) -> tuple[str, tuple]:
    newest = (
        Post.objects.filter(story_pending=False)
        .order_by("-number")
        .values_list("number", "story_id", "title")[:1]
    )
    newest_sql, newest_params = newest.query.sql_with_params()
    if name == "newest placed":
        return newest_sql, newest_params
    pending = Post.objects.filter(story_pending=True).order_by("number")[:limit]
    pending_sql, pending_params = pending.query.sql_with_params()
    # Two uncorrelated subqueries side by side: one row for each pending post, each with the
    # newest placed post, or one row with no post (SQLite and PostgreSQL alike).
    sql = (
        "SELECT newest.number AS newest_number, newest.story_id AS newest_story, "
        "newest.title AS newest_title, pending.* FROM (SELECT 1 AS one) AS turn "
        f"LEFT JOIN ({newest_sql}) AS newest ON TRUE "
        f"LEFT JOIN ({pending_sql}) AS pending ON TRUE ORDER BY pending.number"
    )
    return sql, (*newest_params, *pending_params)


def _compiled(name: str, limit: int = 1) -> tuple[str, tuple]:
    """The SQL and parameters of one of the queries made at every turn ("turn": the newest placed
    post and the pending ones), compiled by the ORM once per process: compiling them again took
    more CPU than the database took to answer them (about 1 ms of the 5 a post may take)."""
    return _sql(connection.vendor, name, limit)


def refresh_story(story_id: int, grouper: Grouper) -> None:
    """Recount a story's posts and outlets, choose its headline and update its rank key."""
    # The story's readers come with its posts (one query, not two).
    posts = list(Post.objects.filter(story_id=story_id).values("number", "outlet_id", "title",
                                                               "published_at", "created_at",
                                                               "story__readers"))  # fmt: skip
    if not posts:
        return
    times = [p["published_at"] or p["created_at"] for p in posts]
    outlets = len({p["outlet_id"] for p in posts})
    readers = posts[0]["story__readers"] or 0
    Story.objects.filter(pk=story_id).update(
        posts_count=len(posts),
        outlets_count=outlets,
        first_at=min(times),
        newest_at=max(times),
        headline=(_headline(story_id, grouper) or posts[0]["title"])[:500],
        rank_key=rank.rank_key(outlets, len(posts), max(times), readers),
    )


def _headline(story_id: int, grouper: Grouper) -> str:
    """The most representative title: the non-flash title sharing the most terms with the rest."""
    members = grouper.members(story_id) if story_id in grouper.stories else []
    if not members:
        return ""
    counts = Counter(term for _, features in members for term in features.title)

    def score(member) -> tuple:
        item, features = member
        shared = sum(counts[t] - 1 for t in features.title) / (1 + len(features.title)) ** 0.5
        return (not features.flash, shared, -len(item.title))

    return max(members, key=score)[0].title


def feature_inputs(post: Post) -> tuple[str, str, str]:
    """What a post's grouping features are computed from: title, lead and outlet name."""
    return post.title, _lead(post), post.outlet.name


def features_of(posts: list[Post]) -> list[Features]:
    """The grouping features of each post (Kiwi analysis of its title and lead)."""
    return [post_features(*feature_inputs(post)) for post in posts]


def _item(post: Post) -> Item:
    return Item(
        id=str(post.number),
        title=post.title,
        text=_lead(post),
        outlet=str(post.outlet_id),
        published_at=post.published_at or post.created_at,
        outlet_name=post.outlet.name,
    )


def _lead(post: Post) -> str:
    paragraphs = post.paragraphs
    return paragraphs[0] if paragraphs else ""


@contextmanager
def _assignment_lock():
    """One assigner at a time across crawler processes (PostgreSQL); SQLite runs one crawler."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
