"""Placing new posts into stories: the crawler's side of `grouping.Grouper`, kept in the database.

A crawler keeps one Grouper in memory, warmed from the stored features of the recent posts (no
Kiwi needed), and places each post whose `story_pending` flag is set, oldest first. Several
crawlers on PostgreSQL take turns through an advisory lock; a crawler that finds posts placed by
another since its last turn restores them into its Grouper (and warms it again only if the other
merged stories it holds), so all of them follow one history.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.stories import rank
from newsrank.stories.features import Features, post_features
from newsrank.stories.grouping import Grouper, Item
from newsrank.stories.models import PostFeatures, Story
from newsrank.stories.summary import summarize
from newsrank.stories.trending import document_terms

log = logging.getLogger(__name__)

WARM = timedelta(hours=72)  # the grouping's max story span: older posts can no longer be joined
LOCK_KEY = 0x6E657773  # "news": the PostgreSQL advisory lock of story assignment
BATCH = 200


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

    def assign_pending(self, limit: int = BATCH) -> int:
        """Place up to `limit` pending posts, oldest first; returns how many were placed."""
        with _assignment_lock():
            newest_placed = _newest_placed()
            if self.grouper is None or not self._in_step(newest_placed):
                self._warm()
            elif newest_placed != self.last_seen:
                self._catch_up(newest_placed)  # another crawler placed posts since our last turn
            posts = list(
                Post.objects.filter(story_pending=True)
                .select_related("outlet")
                .order_by("number")[:limit]
            )
            if posts and self.details:
                self.outlet_names = list(Outlet.objects.values_list("name", flat=True))
            for post, features in zip(posts, self.features(posts), strict=True):
                self._place(post, features)
            return len(posts)

    def _in_step(self, newest_placed: int) -> bool:
        """Whether the database still holds the history this grouper followed: its newest post
        is there, in the same story (not so after a restore, or the newest posts deleted)."""
        if newest_placed < self.last_seen:
            return False
        known = self.grouper.posts.get(str(self.last_seen))
        if known is None:
            return self.last_seen == 0
        row = Post.objects.filter(number=self.last_seen).values_list("story_id", "title").first()
        return row == (known.story, known.item.title)

    def _warm(self) -> None:
        """A Grouper holding the stories of the last WARM hours, as the database has them."""
        self.grouper = Grouper(new_story_id=_new_story_id)
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
                "post_id", "title_terms", "lead_terms", "flash", "opinion", "entity_terms",
                "post__title", "post__outlet_id", "post__outlet__name", "post__published_at",
                "post__created_at", "post__story_id",
            )
        )  # fmt: skip
        stories = set()
        for row in rows.iterator(chunk_size=2000):
            number, title, lead, flash, opinion, entities = row[:6]
            features = Features(
                frozenset(title), frozenset(lead), flash, opinion, entities=frozenset(entities)
            )
            title, outlet, outlet_name, published, created, story = row[6:]
            item = Item(str(number), title, "", str(outlet), published or created, outlet_name)
            self.grouper.restore(item, features, story)
            stories.add(story)
            self.last_seen = max(self.last_seen, number)
        return stories

    def _place(self, post: Post, features: Features) -> None:
        merges_before = len(self.grouper.merges)
        story_id = self.grouper.add(_item(post), features=features)
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
            trend_terms=sorted(trend_terms),
            at=post.when,
        )
        with transaction.atomic():
            # One upsert rather than update_or_create's select, savepoint and insert: a post
            # placed again (a crash before its flag was cleared) gets its features replaced.
            PostFeatures.objects.bulk_create(
                [row],
                update_conflicts=True,
                unique_fields=["post"],
                update_fields=[
                    f.name for f in PostFeatures._meta.concrete_fields if f.name != "post"
                ],
            )
            Post.objects.filter(number=post.number).update(
                story_id=story_id, story_pending=False, summary=summary
            )
            for survivor, absorbed in self.grouper.merges[merges_before:]:
                Post.objects.filter(story_id=absorbed).update(story_id=survivor)
                Story.objects.filter(pk=absorbed).update(merged_into=survivor, posts_count=0)
                log.info("story %s merged into %s", absorbed, survivor)
            refresh_story(story_id, self.grouper)
        self.last_seen = max(self.last_seen, post.number)


def _newest_placed() -> int:
    return Post.objects.filter(story_pending=False).aggregate(n=Max("number"))["n"] or 0


def refresh_story(story_id: int, grouper: Grouper) -> None:
    """Recount a story's posts and outlets, choose its headline and update its rank key."""
    posts = list(Post.objects.filter(story_id=story_id).values("number", "outlet_id", "title",
                                                               "published_at", "created_at"))  # fmt: skip
    if not posts:
        return
    times = [p["published_at"] or p["created_at"] for p in posts]
    outlets = len({p["outlet_id"] for p in posts})
    readers = Story.objects.filter(pk=story_id).values_list("readers", flat=True).first() or 0
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


def _new_story_id() -> int:
    now = timezone.now()
    return Story.objects.create(headline="", first_at=now, newest_at=now).pk


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
