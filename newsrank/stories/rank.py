"""How much a story matters now: coverage by distinct outlets, recency, and unique readers.

    coverage = log2(1 + outlets + POST_WEIGHT · (posts − outlets))
    readers  = READER_WEIGHT · log2(1 + readers)
    recency  = 2 ** −(age / half_life)          age = now − newest post, never negative
    total    = (coverage + readers) · recency

Why this shape:

- **Distinct outlets, not posts.** Each outlet that chose to report an event is an independent
  editorial vote; one outlet's `[속보]`, full report and `[종합2보]` are one vote said three times.
  Extra posts beyond one per outlet add only POST_WEIGHT each.
- **Logarithms.** The 30th outlet on a story says less than the 2nd: a story carried by 30 outlets
  is more important than one carried by 3, not ten times more. Reader counts are heavy-tailed too.
- **Readers weigh less than outlets.** Views nudge (and break ties between equal stories) but are
  easier to inflate and grow with time on the page: 1,000 unique readers add 0.2 · log2(1001) ≈ 2,
  as much as going from one outlet to seven (log2 2 → log2 8).
- **Exponential decay, not Hacker News gravity.** HN divides by (age + 2) ** 1.8, a power law: it
  falls steeply in the first hours and then barely, so a huge old story keeps a long tail above fresh
  news. Exponential decay loses the same share every half-life whatever the age, so "a story 6 hours
  old counts half" is a knob an operator can read and set, and after a few half-lives any old story
  falls below any fresh one of fair size. It also means two stories never swap places just because
  time passes (their ratio stays fixed), so the order can be stored: `rank_key` is the log of `total`
  shifted by a constant that depends only on `now`, the trick Reddit's "hot" uses to keep a sortable
  column that never needs recomputing as the clock moves.

Pure: no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

HALF_LIFE = timedelta(hours=6)
POST_WEIGHT = 0.1  # each post beyond one per outlet (flash, update, follow-up by the same outlet)
READER_WEIGHT = 0.2  # readers nudge; outlets decide


@dataclass(frozen=True)
class Score:
    """A story's score and the parts it is made of (shown to operators on /ranking)."""

    total: float
    coverage: float
    recency: float
    readers: float


def _base(outlets: int, posts: int, readers: int) -> tuple[float, float]:
    if outlets < 0 or posts < 0 or readers < 0:
        raise ValueError("outlets, posts and readers cannot be negative")
    extra_posts = max(posts - outlets, 0)
    coverage = math.log2(1 + outlets + POST_WEIGHT * extra_posts)
    return coverage, READER_WEIGHT * math.log2(1 + readers)


def story_score(
    outlets: int,
    posts: int,
    newest: datetime,
    readers: int,
    now: datetime,
    *,
    half_life: timedelta = HALF_LIFE,
) -> Score:
    """The score of a story with `outlets` distinct outlets and `posts` posts, newest at `newest`."""
    coverage, reader_part = _base(outlets, posts, readers)
    age = max((now - newest) / half_life, 0.0)  # a post dated in the future is as fresh as now
    recency = 2.0**-age
    return Score(
        total=(coverage + reader_part) * recency,
        coverage=coverage,
        recency=recency,
        readers=reader_part,
    )


def rank_key(
    outlets: int, posts: int, newest: datetime, readers: int, *, half_life: timedelta = HALF_LIFE
) -> float:
    """A number that sorts stories as `story_score(...).total` does at any `now`, without `now`.

    log2(total) = log2(coverage + readers) − (now − newest) / half_life, and the `now` term is the
    same for every story, so it can be dropped: the key can be stored on the story and indexed,
    and changes only when the story gains a post or readers. (Ties in the stored order differ from
    `total` only for stories dated in the future, which `story_score` treats as "now".)
    """
    coverage, reader_part = _base(outlets, posts, readers)
    base = coverage + reader_part
    if base <= 0:
        return -math.inf
    return math.log2(base) + newest.timestamp() / half_life.total_seconds()
