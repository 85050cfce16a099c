"""Fill the configured database with benchmark posts, resumably, in bulk.

Each batch (posts, their stories, grouping features and search entries) is written in one
transaction, so the number of benchmark posts in the database is always where the next run picks
up: re-running continues to N and never doubles. Rows are written as the real code leaves them
(`stories.assign`, `search.backends`): every post placed in a story (`story_pending` and
`search_pending` cleared), the story's counts, times, headline and rank key filled.

Writes use COPY on PostgreSQL and executemany in large transactions on SQLite. On PostgreSQL a
large run drops the GIN index of the search entries and builds it again at the end, which is
several times faster than updating it row by row; an interrupted run leaves it to the next one.
Run it with the crawler stopped: post numbers and story ids are handed out here.
"""

from __future__ import annotations

import functools
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from newsrank.benchdata import plan
from newsrank.benchdata.text import Generator
from newsrank.board.models import Post
from newsrank.search.analyzer import ANALYZER_VERSION
from newsrank.search.backends import PostgresBackend, SQLiteBackend
from newsrank.sources.models import Feed, Outlet
from newsrank.sources.sections import SECTIONS
from newsrank.stories import rank
from newsrank.stories.models import PostFeatures, Story

BATCH = 5_000  # posts a transaction: a few hours of news
SEED = 6
REBUILD_GIN_FROM = 50_000  # posts to add before dropping and rebuilding the GIN index pays

POST_COLUMNS = (
    "number", "outlet_id", "feed_id", "url", "guid", "section", "title", "subtitles", "authors",
    "body_html", "body_text", "images", "lang", "credit", "content_hash", "published_at",
    "modified_at", "created_at", "updated_at", "hidden", "search_pending", "story_id",
    "story_pending", "summary",
)  # fmt: skip
STORY_COLUMNS = (
    "id", "headline", "first_at", "newest_at", "posts_count", "outlets_count", "readers",
    "rank_key", "merged_into_id", "created_at",
)  # fmt: skip
FEATURE_COLUMNS = ("post_id", "title_terms", "lead_terms", "flash", "opinion", "trend_terms", "at")
OPTIONAL_FEATURE_COLUMNS = ("entity_terms", "days")  # written when the schema has them
ENTRY_COLUMNS = ("post_id", "title", "title_extra", "body", "body_extra", "analyzer")


class SchemaChanged(RuntimeError):
    """A table gained or lost a column this module writes; update the column lists above."""


class PastNow(ValueError):
    """More posts were asked for than the database's timeline places before now."""


def populate(
    posts: int,
    *,
    progress: Callable[[int, int], None] | None = None,
    seed: int = SEED,
    now: datetime | None = None,
) -> int:
    """Add benchmark posts until the database holds `posts` of them; returns how many were added."""
    _check_schema()
    now = now or timezone.now()
    outlet_plans = plan.outlets()
    outlet_ids, feed_ids = _outlets_and_feeds(outlet_plans)
    done = Post.objects.filter(outlet_id__in=outlet_ids).count()
    target = max(posts, done)
    if progress:
        progress(done, target)
    if done < posts:  # before anything changes: a refused run leaves the database as it was
        timeline = _timeline(outlet_ids, posts, seed, now)
        _check_room(timeline, posts, now)
    postgres = connection.vendor == "postgresql"
    rebuild_gin = postgres and posts - done >= REBUILD_GIN_FROM
    if rebuild_gin:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_entry_document")
    if not postgres and done < posts:
        _sqlite_bulk_mode(True)
    added = 0
    if done < posts:
        generator, facts, bodies = _vocabulary(seed)
        while done < posts:
            count = min(BATCH, posts - done)
            stories = plan.batch(
                generator, bodies, facts, outlet_plans, timeline, done, count, seed=seed, now=now
            )
            with transaction.atomic():
                _write(stories, outlet_ids, feed_ids, postgres)
            done += count
            added += count
            if progress:
                progress(done, target)
    if not postgres and added:
        _sqlite_bulk_mode(False)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'search_entry_document'")
            if cursor.fetchone() is None:  # dropped above, or by an interrupted run
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute(  # as migrations search 0001 and 0003 leave it
                    "CREATE INDEX IF NOT EXISTS search_entry_document "
                    "ON search_entry USING gin (document) WITH (gin_pending_list_limit = 512)"
                )
    if added:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, so the planner picks the list indexes
    return added


@functools.cache
def _vocabulary(seed: int) -> tuple[Generator, list[plan.ArticleFacts], plan.Bodies]:
    """The analyzed sample text (a few hundred Kiwi calls), once per process."""
    generator = Generator(random.Random(seed))
    facts = plan.article_facts(generator, [o.name for o in plan.outlets()])
    return generator, facts, plan.Bodies(generator, seed)


def _sqlite_bulk_mode(on: bool) -> None:
    """Let FTS5 collect segments while loading (no merging per transaction), then merge them.

    FTS5 merges index segments as each transaction adds one (`automerge`, default 4); during a
    bulk load that repeats work, so it is turned off and the segments are merged once at the end
    (https://sqlite.org/fts5.html#the_automerge_configuration_option).
    """
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -400000")  # 400 MB: the growing indexes stay cached
        settings = (
            (("automerge", 0), ("crisismerge", 64))
            if on
            else (("automerge", 4), ("crisismerge", 16))
        )
        for name, value in settings:
            cursor.execute(
                "INSERT INTO search_fts(search_fts, rank) VALUES (%s, %s)", [name, value]
            )
        if not on:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def _feature_columns() -> tuple[str, ...]:
    actual = {f.column for f in PostFeatures._meta.concrete_fields}
    return FEATURE_COLUMNS + tuple(c for c in OPTIONAL_FEATURE_COLUMNS if c in actual)


def _check_schema() -> None:
    for model, columns in (
        (Post, POST_COLUMNS),
        (Story, STORY_COLUMNS),
        (PostFeatures, _feature_columns()),
    ):
        actual = {f.column for f in model._meta.concrete_fields}
        if actual != set(columns):
            raise SchemaChanged(
                f"{model._meta.db_table} has columns {sorted(actual ^ set(columns))} "
                "that newsrank.benchdata.populate does not write (or the other way round)"
            )


def _outlets_and_feeds(outlet_plans) -> tuple[list[int], dict[tuple[int, str], int]]:
    """The benchmark outlets and one feed per outlet and section (disabled: the hosts are made up)."""
    outlet_ids, feed_ids = [], {}
    for o in outlet_plans:
        outlet, _ = Outlet.objects.get_or_create(
            name=o.name, defaults={"homepage": f"https://{o.domain}/"}
        )
        outlet_ids.append(outlet.pk)
        for slug, label in SECTIONS:
            feed, _ = Feed.objects.get_or_create(
                url=f"https://{o.domain}/rss/{slug}.xml",
                defaults={
                    "outlet": outlet,
                    "section": slug,
                    "section_label": label,
                    "enabled": False,
                },
            )
            feed_ids[(outlet.pk, slug)] = feed.pk
    return outlet_ids, feed_ids


def _timeline(outlet_ids: list[int], posts: int, seed: int, now: datetime) -> plan.Timeline:
    """The first run's timeline ends now; a later run continues the one its first post began."""
    first = (
        Post.objects.filter(outlet_id__in=outlet_ids, url__endswith="/article/0")
        .values_list("published_at", flat=True)
        .first()
    )
    if first is not None:
        return plan.Timeline(first, seed)
    return plan.Timeline.ending_at(now, posts, seed)


def _check_room(timeline: plan.Timeline, posts: int, now: datetime) -> None:
    """Refuse a later run that asks for more posts than fit between the first post and now.

    A first run lays its timeline out to end now, and a run that continues an interrupted one
    ends where that one would have. Posts beyond that would all be published at once (now), not
    at a day's pace: hundreds of thousands of stories alive at the same moment.
    """
    fit = timeline.count_until(now + timedelta(milliseconds=1))  # a first run's last: now
    if posts <= fit:
        return
    raise PastNow(
        f"this database's benchmark posts began on {timeline.start.astimezone(UTC):%Y-%m-%d %H:%M}"
        f" UTC; at {plan.MIN_PER_DAY:,}–{plan.MAX_PER_DAY:,} a day, {fit:,} of them fit between"
        f" then and now, not {posts:,}. Populate an empty database for {posts:,}."
    )


def _write(stories: list[plan.StoryPlan], outlet_ids, feed_ids, postgres: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(number), 0) FROM board_post")
        number = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM stories_story")
        story_id = cursor.fetchone()[0]
        feature_columns = _feature_columns()
        with_entities = "entity_terms" in feature_columns
        with_days = "days" in feature_columns
        story_rows, post_rows, feature_rows, entry_rows = [], [], [], []
        numbered = []
        for story in stories:
            story_id += 1
            newest = story.newest_at
            story_rows.append(
                (
                    story_id,
                    story.headline,
                    _at(story.first_at, postgres),
                    _at(newest, postgres),
                    len(story.posts),
                    story.outlets_count,
                    0,
                    rank.rank_key(story.outlets_count, len(story.posts), newest, 0),
                    None,
                    _at(story.first_at, postgres),
                )
            )
            for post in story.posts:
                numbered.append((post, story_id))
        # Numbers grow with publication time, as the crawler hands them out.
        numbered.sort(key=lambda pair: pair[0].index)
        for post, post_story in numbered:
            number += 1
            outlet = outlet_ids[post.outlet]
            at = _at(post.published_at, postgres)
            url = f"https://bench{post.outlet}.example/article/{post.index}"
            post_rows.append(
                (
                    number, outlet, feed_ids[(outlet, post.section)], url, url, post.section,
                    post.title, _json(post.subtitles), _json(post.authors), post.body.html,
                    post.body.text, "[]", "ko", "", post.content_hash, at, None, at, at,
                    False, False, post_story, False, _json(post.summary),
                )
            )  # fmt: skip
            feature_row = (number, _json(post.title_terms), _json(post.lead_terms), post.flash,
                           post.opinion, _json(post.trend_terms), at)  # fmt: skip
            if with_entities:
                feature_row += (_json(post.entity_terms),)
            if with_days:
                feature_row += (_json(post.days),)
            feature_rows.append(feature_row)
            entry = post.entry
            body_extra = entry["body_extra"]
            if not postgres:  # as the backends write it (`Backend.outlet_tag`)
                body_extra = SQLiteBackend.tagged_text(body_extra, outlet)
            row = (number, entry["title"], entry["title_extra"], entry["body"], body_extra,
                   ANALYZER_VERSION)  # fmt: skip
            if postgres:
                row += (tsvector(entry, post.body.key, number, outlet),)
            entry_rows.append(row)
        insert = _copy if postgres else _insert_many
        insert(cursor, "stories_story", STORY_COLUMNS, story_rows)
        insert(cursor, "board_post", POST_COLUMNS, post_rows)
        insert(cursor, "stories_postfeatures", feature_columns, feature_rows)
        columns = ENTRY_COLUMNS + (("document",) if postgres else ())
        insert(cursor, "search_entry", columns, entry_rows)
        if postgres:  # explicit keys leave the sequences behind
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('board_post', 'number'), %s)", [number]
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('stories_story', 'id'), %s)", [story_id]
            )


def _copy(cursor, table: str, columns, rows) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _insert_many(cursor, table: str, columns, rows) -> None:
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _at(moment: datetime, postgres: bool):
    """A datetime as the backend stores it: aware for psycopg, naive UTC text for SQLite."""
    if postgres:
        return moment
    return str(moment.astimezone(UTC).replace(tzinfo=None))


class ProgressBar:
    """A one-line progress bar on stderr: done/total, rate and time left."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width = stream, width
        self.started = time.monotonic()
        self.first: int | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.first is None:
            self.first = done
        elapsed = time.monotonic() - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate else 0.0
        filled = int(self.width * done / total) if total else self.width
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done:,}/{total:,} posts"
            f"  {rate:,.0f}/s  {left / 60:.1f} min left "
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


_QUOTED: dict[str, str] = {}
_FRAGMENTS: dict[tuple[int, int], str] = {}
BODY_START = 200  # the body streams' first position (the title streams end well before)


def tsvector(
    fields: dict[str, str], body_key=None, number: int | None = None, outlet_id: int | None = None
) -> str:
    """The weighted tsvector literal of `PostgresBackend.tsvector`, made fast for a bulk load.

    One difference: the body streams start at position BODY_START rather than right after the
    title's, so that a body's part of the literal is made once per body (`plan.Bodies`) and
    reused; PostgreSQL merges the positions of a term that appears in both parts. Matching is
    the same (phrases stay within a stream); ts_rank_cd() sees a wider gap between title and body.
    """
    backend = PostgresBackend
    title = _positions(fields, (("title", "A"), ("title_extra", "B")), 1)
    if title is None:
        return backend.tsvector(fields, number, outlet_id)
    fragment = _FRAGMENTS.get(body_key) if body_key is not None else None
    if fragment is None:
        fragment = _positions(fields, (("body", "C"), ("body_extra", "D")), BODY_START - 1)
        if fragment is None:
            return backend.tsvector(fields, number, outlet_id)
        fragment = " ".join([fragment, *backend.pair_lexemes(fields["body"])])
        if body_key is not None:
            _FRAGMENTS[body_key] = fragment
    parts = [
        title,
        *backend.pair_lexemes(fields["title"]),
        fragment,
        *backend.filter_lexemes(number, outlet_id),
    ]
    return " ".join(part for part in parts if part)


def _positions(fields, streams, position: int) -> str | None:
    """The literal of some streams from `position` on; None if a position would pass the caps."""
    positions: dict[str, list[str]] = {}
    limit = BODY_START if streams[0][0] == "title" else PostgresBackend.MAX_POSITION
    for name, weight in streams:
        position += 1
        terms = fields[name].split()
        if position + len(terms) >= limit:
            return None
        for term in terms:
            position += 1
            kept = positions.get(term)
            if kept is None:
                positions[term] = [f"{position}{weight}"]
            elif len(kept) < PostgresBackend.MAX_POSITIONS:
                kept.append(f"{position}{weight}")
    parts = []
    for term, kept in positions.items():
        quoted = _QUOTED.get(term)
        if quoted is None:
            quoted = _QUOTED[term] = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        parts.append(f"{quoted}:{','.join(kept)}")
    return " ".join(parts)
