"""What the benchmark posts are: outlets, when each post is published, and stories. Pure: no Django.

Post `i` (0 = the oldest) of a populated board is a function of the seed and `i`, so that a run
that stops can be continued: the timeline gives each day 25,000–60,000 posts (as Korean outlets
publish, DESIGN.md) and is laid out so that the newest post lands near the moment of the first
run. Posts come in batches (about an hour of news each); within a batch posts are grouped into
stories as the grouping would: most posts stand alone (a story of one), the rest join stories of
2–40 posts by distinct outlets on the same event (the same sample article), some led by a [속보].
"""

from __future__ import annotations

import bisect
import hashlib
import html
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from newsrank.benchdata.text import Generator

DAY = 86_400.0
MIN_PER_DAY, MAX_PER_DAY = 25_000, 60_000
ALONE = 0.55  # share of stories of one post
MAX_STORY = 40

_PREFIXES = [
    "바람",
    "새벽",
    "가람",
    "누리",
    "다인",
    "별빛",
    "한빛",
    "솔",
    "늘봄",
    "하늘",
    "푸른",
    "온",
    "새",
    "한결",
    "미래",
    "은하",
    "보라",
    "초록",
    "여울",
    "나래",
]
_SUFFIXES = ["일보", "신문", "뉴스", "경제", "타임스", "통신", "데일리", "저널", "방송", "뉴스통신"]


@dataclass(frozen=True)
class OutletPlan:
    name: str
    domain: str
    weight: float  # share of posts: a few outlets (wire services) publish most


def outlets(count: int = 60) -> list[OutletPlan]:
    """`count` fictional outlets with Zipf-like publishing volumes."""
    plans = []
    for i in range(count):
        name = _PREFIXES[i % len(_PREFIXES)] + _SUFFIXES[(i // len(_PREFIXES) + i) % len(_SUFFIXES)]
        plans.append(OutletPlan(f"벤치{name}", f"bench{i}.example", 1 / (i + 1) ** 0.8))
    return plans


class Timeline:
    """The publication time of post `i`, from `start` forward at 25–60k posts a day."""

    def __init__(self, start: datetime, seed: int):
        self.start = start
        self.seed = seed
        self.ends = [0]  # ends[k]: posts published before day k ends

    def per_day(self, day: int) -> int:
        return random.Random(f"{self.seed}:day:{day}").randint(MIN_PER_DAY, MAX_PER_DAY)

    def offset(self, i: int) -> float:
        """Seconds from `start` to post `i`."""
        while self.ends[-1] <= i:
            self.ends.append(self.ends[-1] + self.per_day(len(self.ends) - 1))
        day = bisect.bisect_right(self.ends, i) - 1
        per_day = self.ends[day + 1] - self.ends[day]
        return day * DAY + (i - self.ends[day]) * DAY / per_day

    def at(self, i: int) -> datetime:
        return self.start + timedelta(seconds=self.offset(i))

    def count_until(self, moment: datetime) -> int:
        """How many posts are published at or before `moment`."""
        low, high = 0, 1  # the count is within [low, high]
        while self.at(high - 1) <= moment:
            low, high = high, high * 2
        while low < high:
            middle = (low + high) // 2
            if self.at(middle) <= moment:
                low = middle + 1
            else:
                high = middle
        return low

    @classmethod
    def ending_at(cls, end: datetime, posts: int, seed: int) -> Timeline:
        """A timeline whose post `posts - 1` is published at `end`."""
        probe = cls(end, seed)
        return cls(end - timedelta(seconds=probe.offset(max(0, posts - 1))), seed)


@dataclass
class PostPlan:
    index: int
    outlet: int  # index into the outlet plans
    section: str
    title: str
    subtitles: list[str]
    authors: list[str]
    body: Body
    published_at: datetime
    content_hash: str
    summary: list[str]
    entry: dict[str, str]  # search entry fields
    title_terms: list[str]
    lead_terms: list[str]
    entity_terms: list[str]
    days: list[int]
    flash: bool
    opinion: bool
    trend_terms: list[str]


@dataclass
class StoryPlan:
    headline: str
    posts: list[PostPlan] = field(default_factory=list)

    @property
    def first_at(self) -> datetime:
        return min(p.published_at for p in self.posts)

    @property
    def newest_at(self) -> datetime:
        return max(p.published_at for p in self.posts)

    @property
    def outlets_count(self) -> int:
        return len({p.outlet for p in self.posts})


@dataclass(frozen=True)
class ArticleFacts:
    """What the grouping and summary code derive from a sample article, computed once."""

    title_terms: frozenset
    flash_title_terms: frozenset
    lead_terms: frozenset
    entity_terms: frozenset
    days: frozenset
    opinion: bool
    trend_terms: frozenset
    summary: list


def article_facts(generator: Generator, outlet_names: list[str]) -> list[ArticleFacts]:
    """Each sample article's features, keywords and summary, as the real assignment makes them."""
    from newsrank.stories.features import post_features
    from newsrank.stories.summary import summarize
    from newsrank.stories.trending import document_terms

    facts = []
    for article in generator.articles:
        title = generator.titles[article.title]
        paragraphs = generator.text(article.paragraphs).split("\n\n")
        lead = paragraphs[0] if paragraphs else ""
        plain = post_features(title, lead)
        flash = post_features(f"[속보] {title}", lead)
        facts.append(
            ArticleFacts(
                title_terms=plain.title,
                flash_title_terms=flash.title,
                lead_terms=plain.lead,
                entity_terms=getattr(plain, "entities", frozenset()),
                days=plain.days,
                opinion=plain.opinion,
                trend_terms=frozenset(document_terms(title, lead, outlets=outlet_names)),
                summary=summarize(title, paragraphs, section=article.section),
            )
        )
    return facts


def batch(
    generator: Generator,
    bodies: Bodies,
    facts: list[ArticleFacts],
    outlet_plans: list[OutletPlan],
    timeline: Timeline,
    first: int,
    count: int,
    *,
    seed: int,
    now: datetime,
) -> list[StoryPlan]:
    """Posts `first`…`first + count - 1`, grouped into stories (each post in exactly one)."""
    rng = random.Random(f"{seed}:batch:{first}")
    weights = [o.weight for o in outlet_plans]
    indexes = list(range(first, first + count))
    rng.shuffle(indexes)  # a story's posts are spread over the batch's hour
    stories = []
    while indexes:
        size = 1 if rng.random() < ALONE else min(MAX_STORY, int(rng.paretovariate(1.2)) + 1)
        members, indexes = sorted(indexes[:size]), indexes[size:]
        article_index = rng.randrange(len(generator.articles))
        name = generator.name(rng)
        lead_outlet = rng.choices(range(len(outlet_plans)), weights=weights)[0]
        others = [o for o in rng.sample(range(len(outlet_plans)), min(size, len(outlet_plans)))]
        chosen = [lead_outlet] + [o for o in others if o != lead_outlet]
        story = None
        for position, index in enumerate(members):
            flash = position == 0 and len(members) >= 3 and rng.random() < 0.3
            post = _post(
                generator,
                bodies,
                facts[article_index],
                article_index,
                index,
                chosen[position % len(chosen)],
                name,
                flash,
                min(timeline.at(index), now),
                rng,
            )
            if story is None:
                story = StoryPlan(post.title if not flash else "")
            if not story.headline and not flash:
                story.headline = post.title
            story.posts.append(post)
        story.headline = story.headline or story.posts[0].title
        stories.append(story)
    return stories


@dataclass(frozen=True)
class Body:
    """A generated article body and its analyzed terms, shared by the posts that draw it."""

    key: tuple[int, int]  # (article, variant)
    text: str
    html: str
    parts: str  # the search entry's `body`
    extras: str  # the search entry's `body_extra`


class Bodies:
    """VARIANTS bodies per sample article, made on first use and kept.

    Each is the article's own paragraphs, then 0–14 more sample sentences in paragraphs of 1–3
    and two made-up names: 300–2,000 characters, as Korean news bodies run. Drawing a post's body
    from a pool, rather than making a new one per post, keeps a million posts within minutes.
    """

    def __init__(self, generator: Generator, seed: int):
        self.generator, self.seed = generator, seed
        self.cache: dict[tuple[int, int], Body] = {}

    def get(self, article_index: int, variant: int) -> Body:
        key = (article_index, variant)
        body = self.cache.get(key)
        if body is None:
            body = self.cache[key] = self._make(key)
        return body

    def _make(self, key: tuple[int, int]) -> Body:
        generator = self.generator
        rng = random.Random(f"{self.seed}:body:{key[0]}:{key[1]}")
        article = generator.articles[key[0]]
        paragraphs = [list(p) for p in article.paragraphs]
        extra = rng.sample(generator.fillers, rng.randint(0, 14))
        while extra:
            take = rng.randint(1, 3)
            paragraphs.append(extra[:take])
            extra = extra[take:]
        names = [generator.name(rng) for _ in range(2)]
        text = generator.text(paragraphs) + " " + " ".join(names)
        sentence_ids = [i for p in paragraphs for i in p]
        entry = generator.terms(article.title, [], sentence_ids, names, article.subtitles)
        return Body(
            key=key,
            text=text,
            html="".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n")),
            parts=entry["body"],
            extras=entry["body_extra"],
        )


VARIANTS = 200


def _post(generator, bodies, facts, article_index, index, outlet, name, flash, at, rng):
    article = generator.articles[article_index]
    title = f"{generator.titles[article.title]} {name}"
    if flash:
        title = f"[속보] {title}"
    body = bodies.get(article_index, rng.randrange(VARIANTS))
    title_doc = generator.title_docs[article.title]
    entry = {
        "title": " ".join(["속보"] * flash + title_doc.parts + [name]),
        "title_extra": " ".join(title_doc.extras),
        "body": body.parts,
        "body_extra": body.extras,
    }
    title_terms = (facts.flash_title_terms if flash else facts.title_terms) | {name}
    return PostPlan(
        index=index,
        outlet=outlet,
        section=article.section,
        title=title,
        subtitles=list(article.subtitles),
        authors=[article.reporter] if article.reporter else [],
        body=body,
        published_at=at,
        content_hash=hashlib.blake2b(
            f"{index}:{title}:{body.key}".encode(), digest_size=16
        ).hexdigest(),
        summary=facts.summary,
        entry=entry,
        title_terms=sorted(title_terms),
        lead_terms=sorted(facts.lead_terms),
        entity_terms=sorted(facts.entity_terms | {name}),
        days=sorted(facts.days),
        flash=flash,
        opinion=facts.opinion,
        trend_terms=sorted(facts.trend_terms | {name}),
    )
