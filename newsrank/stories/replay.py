"""Replaying feed items through story assignment: `newsrank stories replay FILE.jsonl`.

Each item (`id`, `title`, `text`, `outlet`, `published_at`, optional `url` and `outlet_name`)
becomes an Outlet and a Post row as the ingest stores them, and the crawler's own
`StoryAssigner.assign_pending` places the posts, oldest first, computing their features on the
way. The result is each item's final story (after any merges a later item caused).

A replay writes rows, so it runs only on an empty database: the command gives it a throwaway
SQLite data folder; a script does the same before `django.setup()` (see bench/stories_speed.py).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.db import transaction

from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.stories.assign import StoryAssigner, feature_inputs, features_of
from newsrank.stories.features import Features, post_features

REQUIRED = ("id", "title", "text", "outlet", "published_at")
CHUNK = 1000  # posts stored per transaction
# Below this many items, starting worker processes (each loads Kiwi, ~2 s) costs more than it saves.
PARALLEL_FROM = 500


class ReplayError(ValueError):
    """An item cannot be replayed; the message says which one and what is wrong."""


@dataclass(frozen=True)
class ReplayItem:
    """One checked item of a replay."""

    id: str
    title: str
    text: str
    outlet: str
    outlet_name: str
    published_at: datetime
    url: str


def check_item(row: object) -> ReplayItem:
    """The item a decoded JSON object describes, or ValueError saying what is wrong with it."""
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    # Only `text` may be empty: feeds without a snippet exist, items without a title do not.
    missing = [n for n in REQUIRED if n not in row or (n != "text" and row[n] in (None, ""))]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    for name in ("title", "text", "outlet"):
        if not isinstance(row[name], str):
            raise ValueError(f"{name} must be a string")
    if not isinstance(row["id"], str | int) or isinstance(row["id"], bool):
        raise ValueError("id must be a string or a number")
    item_id = str(row["id"])
    return ReplayItem(
        id=item_id,
        title=row["title"].strip()[:500],
        text=row["text"],
        outlet=row["outlet"],
        outlet_name=str(row.get("outlet_name") or row["outlet"]),
        published_at=_time(row["published_at"]),
        url=str(row.get("url") or f"https://replay.invalid/items/{quote(item_id, safe='')}"),
    )


def _time(value: object) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"published_at {value!r} is not an ISO 8601 time") from None
    else:
        raise ValueError("published_at must be an ISO 8601 time string")
    if moment.tzinfo is None:
        raise ValueError(
            f"published_at {value!s} has no UTC offset (write e.g. 2026-11-28T09:00:00+09:00)"
        )
    return moment


def read_items(lines: Iterable[str]) -> list[dict]:
    """The JSON objects of a JSON Lines file; ReplayError names the first bad line.

    Each object keeps its line number under "_line", so that `replay` names the line of an id or
    address used twice.
    """
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            check_item(row)
        except json.JSONDecodeError as error:
            raise ReplayError(
                f"line {number}: not JSON: {error.msg} (column {error.colno})"
            ) from None
        except ValueError as error:
            raise ReplayError(f"line {number}: {error}") from None
        row["_line"] = number
        rows.append(row)
    return rows


def replay(
    items: Iterable[dict],
    *,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> Iterator[dict]:
    """Group `items` as the crawler would, in time order; yields `{"id", "story"}` per item.

    Posts are numbered and placed in time order (ties in input order); the results come back in
    input order once all are placed, since a late item may merge two stories and so change the
    story of earlier ones. `progress(done, total)` is called as posts are placed. Needs an empty
    database (ReplayError otherwise).

    `workers`: processes that compute the posts' features (Kiwi analysis, the bulk of the work)
    ahead of the assigner, which places them one by one as the crawler does; default: one per
    CPU for long replays, none (all in this process) for short ones.
    """
    checked = _check_all(items)
    if Post.objects.exists():
        raise ReplayError("replay needs an empty, throwaway database; this one holds posts")
    in_time = sorted(checked, key=lambda item: item.published_at)  # stable: ties keep input order
    numbers = dict(zip((item.id for item in in_time), _store(in_time), strict=True))
    if workers is None:
        workers = (os.cpu_count() or 1) if len(checked) >= PARALLEL_FROM else 0
    # Fork: the workers run only pure code (features), never the parent's database connection.
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        if workers
        else nullcontext()
    )
    with pool:
        features = _ahead(pool, in_time, numbers) if workers else features_of
        # Summaries and trending terms are not grouping: a replay leaves them out.
        assigner = StoryAssigner(features=features, details=False)
        done = 0
        while placed := assigner.assign_pending():
            done += placed
            if progress:
                progress(done, len(checked))
    stories = dict(Post.objects.values_list("number", "story_id"))
    for item in checked:
        yield {"id": item.id, "story": stories[numbers[item.id]]}


def _check_all(items: Iterable[dict]) -> list[ReplayItem]:
    checked: list[ReplayItem] = []
    seen_ids: dict[str, str] = {}
    seen_urls: dict[str, str] = {}
    for index, row in enumerate(items, start=1):
        where = (
            f"line {row['_line']}" if isinstance(row, dict) and "_line" in row else f"item {index}"
        )
        try:
            item = check_item(row)
        except ValueError as error:
            raise ReplayError(f"{where}: {error}") from None
        if item.id in seen_ids:
            raise ReplayError(f"{where}: id {item.id!r} already used ({seen_ids[item.id]})")
        if item.url in seen_urls:
            # The crawler makes one post of one address, so two items cannot share one.
            raise ReplayError(f"{where}: url {item.url} already used ({seen_urls[item.url]})")
        seen_ids[item.id] = seen_urls[item.url] = where
        checked.append(item)
    return checked


def _store(items: list[ReplayItem]) -> list[int]:
    """Create the outlets and posts (numbered in time order); returns the posts' numbers."""
    outlets: dict[str, Outlet] = {}
    names: set[str] = set()
    for item in items:
        if item.outlet not in outlets:
            # Outlet names are unique; two outlet ids under one name stay two outlets.
            name = item.outlet_name if item.outlet_name not in names else item.outlet
            while name in names:
                name += "'"
            names.add(name)
            outlets[item.outlet] = Outlet.objects.create(name=name[:100])
    numbers: list[int] = []
    for start in range(0, len(items), CHUNK):
        with transaction.atomic():
            posts = Post.objects.bulk_create(
                [_post(item, outlets[item.outlet]) for item in items[start : start + CHUNK]]
            )
        numbers += [post.number for post in posts]
    return numbers


def _ahead(
    pool: ProcessPoolExecutor, items: list[ReplayItem], numbers: dict[str, int]
) -> Callable[[list[Post]], list[Features]]:
    """Submit every post's features to `pool` now; the returned function waits for a batch's."""
    names = {outlet.pk: outlet.name for outlet in Outlet.objects.all()}
    futures: dict[int, Future] = {}
    for post in Post.objects.filter(number__in=list(numbers.values())).order_by("number"):
        post.outlet = Outlet(pk=post.outlet_id, name=names[post.outlet_id])
        futures[post.number] = pool.submit(_features, feature_inputs(post))

    def features(posts: list[Post]) -> list[Features]:
        return [futures.pop(post.number).result() for post in posts]

    return features


def _features(inputs: tuple[str, str, str]) -> Features:
    return post_features(*inputs)


def _post(item: ReplayItem, outlet: Outlet) -> Post:
    # As ingest.articles.post_fields stores a feed entry: the text is the body, whose first
    # paragraph is the lead the assigner reads.
    return Post(
        outlet=outlet,
        url=item.url[:1000],
        guid=item.id[:500],
        title=item.title,
        body_text=item.text,
        published_at=item.published_at,
        modified_at=item.published_at,
    )


class Progress:
    """Prints `placed N/M items (X/s)` to a stream at most every `every` seconds."""

    def __init__(self, stream, every: float = 2.0) -> None:
        self.stream, self.every = stream, every
        self.started = self.shown = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < self.every and done < total:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-9)
        print(f"newsrank: placed {done}/{total} items ({rate:.0f}/s)", file=self.stream, flush=True)
