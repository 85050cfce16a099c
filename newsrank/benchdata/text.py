"""Benchmark post text from the sample articles' vocabulary (newsrank/demo/content).

Each sample title and sentence is analyzed by Kiwi once; a generated post's search terms are put
together from those, so a million posts need a few hundred Kiwi calls, not a million. Made-up
names drawn from a Zipf distribution over 100,000 of them give rare terms, as real news has.
(Moved from bench/search.py, which uses the same `Generator`.)
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from newsrank.search.analyzer import analyze

CONTENT = Path(__file__).resolve().parents[1] / "demo" / "content"
_SENTENCE = re.compile(r"(?<=[.다])\s+")
_SYLLABLES = "가나다라마바사아자차카타파하강남동서민도윤재현지수영호성진"


@dataclass(frozen=True)
class Article:
    """A sample article, its text kept as indexes into the generator's sentences."""

    title: int  # index into Generator.titles
    section: str
    subtitles: tuple[str, ...]
    reporter: str
    paragraphs: tuple[tuple[int, ...], ...]  # sentence indexes, paragraph by paragraph


def split_sentences(paragraph: str) -> list[str]:
    return [s for s in _SENTENCE.split(paragraph) if s.strip()]


def sample_text() -> tuple[list[str], list[str]]:
    """(titles, sentences) of every sample article; sentences of more than 10 characters."""
    titles, sentences = [], []
    for path in sorted(CONTENT.glob("*.json")):
        for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
            titles.append(article["title"])
            for paragraph in article["body"]:
                sentences.extend(s for s in _SENTENCE.split(paragraph) if len(s) > 10)
    return titles, sentences


class Generator:
    """Posts made of sample titles and sentences, with Zipf-distributed made-up names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.titles: list[str] = []
        self.sentences: list[str] = []
        self.articles: list[Article] = []
        self._load()
        self.title_docs = [analyze(t) for t in self.titles]
        self.sentence_docs = [analyze(s) for s in self.sentences]
        self.subtitle_docs = {s: analyze(s) for article in self.articles for s in article.subtitles}
        self.names = [
            "".join(rng.choices(_SYLLABLES, k=rng.choice((2, 3)))) for _ in range(100_000)
        ]
        self.cumulative = []
        total = 0.0
        for rank in range(len(self.names)):
            total += 1 / (rank + 1)
            self.cumulative.append(total)
        # Space-joined terms per sentence and subtitle: a post's fields are joins of these.
        self.sentence_parts = [" ".join(d.parts) for d in self.sentence_docs]
        self.sentence_extras = [" ".join(d.extras) for d in self.sentence_docs]
        # Sentences long enough to stand alone, for lengthening bodies.
        self.fillers = [i for i, s in enumerate(self.sentences) if len(s) > 10]

    def _load(self) -> None:
        index: dict[str, int] = {}
        for path in sorted(CONTENT.glob("*.json")):
            for article in json.loads(path.read_text(encoding="utf-8"))["articles"]:
                self.titles.append(article["title"])
                paragraphs = []
                for paragraph in article["body"]:
                    ids = []
                    for sentence in split_sentences(paragraph):
                        if sentence not in index:
                            index[sentence] = len(self.sentences)
                            self.sentences.append(sentence)
                        ids.append(index[sentence])
                    if ids:
                        paragraphs.append(tuple(ids))
                self.articles.append(
                    Article(
                        title=len(self.titles) - 1,
                        section=article["section"],
                        subtitles=tuple(article.get("subtitles") or ()),
                        reporter=article.get("reporter", ""),
                        paragraphs=tuple(paragraphs),
                    )
                )

    def name(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        return rng.choices(self.names, cum_weights=self.cumulative, k=1)[0]

    def text(self, paragraphs) -> str:
        """Body text: paragraphs of sentence indexes, joined as the board stores them."""
        return "\n\n".join(" ".join(self.sentences[i] for i in p) for p in paragraphs)

    def terms(
        self,
        title_index: int,
        title_names: list[str],
        sentence_ids,
        body_names: list[str],
        subtitles=(),
    ) -> dict[str, str]:
        """The search entry's fields (as `search.backends.entry_fields` makes them) from parts."""
        title_doc = self.title_docs[title_index]
        heads = [self.subtitle_docs[s] for s in subtitles]
        parts = [" ".join(d.parts) for d in heads] + [self.sentence_parts[i] for i in sentence_ids]
        extras = [" ".join(d.extras) for d in heads]
        extras += [self.sentence_extras[i] for i in sentence_ids]
        return {
            "title": " ".join(title_doc.parts + title_names),
            "title_extra": " ".join(title_doc.extras),
            "body": " ".join(p for p in [*parts, *body_names] if p),
            "body_extra": " ".join(e for e in extras if e),
        }

    # bench/search.py's interface: a flat post and its fields.

    def post_text(self) -> tuple[str, str, list[int], int]:
        title_index = self.rng.randrange(len(self.titles))
        picked = self.rng.sample(range(len(self.sentences)), self.rng.randint(3, 20))
        names = [self.name() for _ in range(3)]
        title = f"{self.titles[title_index]} {names[0]}"
        body = " ".join(self.sentences[i] for i in picked) + " " + " ".join(names)
        return title, body, picked, title_index

    def fields(self, title_index: int, picked: list[int], title: str, body: str) -> dict[str, str]:
        names = title.rsplit(" ", 1)[1:] + body.rsplit(" ", 3)[1:]
        return self.terms(title_index, names[:1], picked, names[1:])
