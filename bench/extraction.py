"""Score article extraction against the real Korean pages in ../shared/data/pages.

Usage: .venv/bin/python bench/extraction.py [--data DIR] [--runs 5]

For each page with an entry in `pages/expected.json` (see ../shared/data/README.md), and overall:

- title: exact after NFC and whitespace normalization (a no-break space is a space);
- body F1: over word 4-gram shingles of `\\w+` tokens, counted as multisets, of the expected
  `body.sections[].paragraphs` against our body paragraphs (subheadings included, as the board
  shows them), the definition of the public article-extraction benchmark
  (scrapinghub/article-extraction-benchmark); overall = F1 of mean precision and mean recall.
  Beside it the same F1 with the truth's section headlines (`sections[].headline`) counted as
  body text, since the board shows subheadings in the body too;
- date: same minute, compared as instants (an expected time without a zone is KST);
- captions: expected image captions found in one of our captions;
- boilerplate: body lines that match a cleanup pattern of newsrank/ingest/clean.py (bylines,
  copyright, promotions, a lead tag on the first line);
- time: median milliseconds per page of `extract_article` (decode excluded) and, beside it, of
  trafilatura alone (`trafilatura.extract`), whose body F1 and boilerplate are shown too.

The pages are never copied into the project; when the folder is absent the script says so and
exits 0 (a fresh clone elsewhere will not have it).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from newsrank.ingest.charset import decode_html  # noqa: E402
from newsrank.ingest.clean import boilerplate_kind  # noqa: E402
from newsrank.ingest.extract import extract_article  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
_TOKEN = re.compile(r"\w+")


@dataclass
class Score:
    page: str
    title_ok: bool
    precision: float
    recall: float
    f1_with_heads: float
    date_ok: bool
    captions_found: int
    captions_expected: int
    boilerplate: int
    ms: float
    trafilatura_precision: float
    trafilatura_recall: float
    trafilatura_boilerplate: int
    trafilatura_ms: float
    notes: list[str]

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    @property
    def trafilatura_f1(self) -> float:
        return _f1(self.trafilatura_precision, self.trafilatura_recall)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5, help="timing runs per page")
    args = parser.parse_args()
    pages = args.data / "pages"
    if not (pages / "expected.json").is_file():
        print(f"No benchmark pages at {pages} (expected.json missing); nothing to measure.")
        return 0
    cases = json.loads((pages / "expected.json").read_text(encoding="utf-8"))
    scores = [score(pages, case, args.runs) for case in cases]
    print_table(scores)
    return 0


def score(pages: Path, case: dict, runs: int) -> Score:
    truth, url = case["truth"], case["url"]
    html = decode_html((pages / case["file"]).read_bytes())
    notes: list[str] = []
    article = extract_article(html, url)
    ours = article.body_text.split("\n\n")
    sections = truth["body"]["sections"]
    expected = [p for section in sections for p in section["paragraphs"]]
    precision, recall = shingle_scores(expected, ours)
    with_heads = [p for section in sections for p in [*section["headline"], *section["paragraphs"]]]
    f1_with_heads = _f1(*shingle_scores(with_heads, ours))

    title_ok = _norm(article.title) == _norm(truth["title"])
    if not title_ok:
        notes.append(f"title {article.title!r} ≠ {truth['title']!r}")
    want = _as_instant(truth["publishing_date"])
    date_ok = article.published_at is not None and _minute(article.published_at) == _minute(want)
    if not date_ok:
        notes.append(f"date {article.published_at} ≠ {want}")
    wanted = [_norm(i["caption"]).rstrip(".") for i in truth.get("images", []) if i.get("caption")]
    ours_captions = [_norm(image.caption) for image in article.images]
    found = sum(any(c in mine for mine in ours_captions) for c in wanted)
    left = boilerplate_lines(ours)
    notes += [f"boilerplate left: {line!r}" for line in left]

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True) or ""
    theirs = [line for line in text.split("\n") if line.strip()]
    t_precision, t_recall = shingle_scores(expected, theirs)
    return Score(
        page=case["file"].removesuffix(".html"),
        title_ok=title_ok,
        precision=precision,
        recall=recall,
        f1_with_heads=f1_with_heads,
        date_ok=date_ok,
        captions_found=found,
        captions_expected=len(wanted),
        boilerplate=len(left),
        ms=_median_ms(lambda: extract_article(html, url), runs),
        trafilatura_precision=t_precision,
        trafilatura_recall=t_recall,
        trafilatura_boilerplate=len(boilerplate_lines(theirs)),
        trafilatura_ms=_median_ms(
            lambda: trafilatura.extract(html, url=url, include_comments=False, include_tables=True),
            runs,
        ),
        notes=notes,
    )


def shingle_scores(expected: list[str], predicted: list[str], n: int = 4) -> tuple[float, float]:
    """Precision and recall of predicted word n-gram shingles (multisets) against expected ones."""
    truth, pred = _shingles("\n".join(expected), n), _shingles("\n".join(predicted), n)
    tp = sum((truth & pred).values())
    fp = sum((pred - truth).values())
    fn = sum((truth - pred).values())
    precision = 1.0 if fp == fn == 0 else (tp / (tp + fp) if tp + fp else 0.0)
    recall = 1.0 if fp == fn == 0 else (tp / (tp + fn) if tp + fn else 0.0)
    return precision, recall


def _shingles(text: str, n: int) -> Counter:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def boilerplate_lines(paragraphs: list[str]) -> list[str]:
    lines = [line for paragraph in paragraphs for line in paragraph.split("\n") if line.strip()]
    return [line for i, line in enumerate(lines) if boilerplate_kind(line, first=i == 0)]


def print_table(scores: list[Score]) -> None:
    header = (
        "| page | title | body F1 (P / R) | F1, subheads in truth | date | captions | boilerplate left "
        "| ms, ours | trafilatura alone: F1, boilerplate, ms |"
    )
    print(header)
    print("| " + " | ".join("---" for _ in range(header.count("|") - 1)) + " |")
    for s in scores:
        print(
            f"| {s.page} | {_mark(s.title_ok)} | {s.f1:.3f} ({s.precision:.3f} / {s.recall:.3f}) "
            f"| {s.f1_with_heads:.3f} | {_mark(s.date_ok)} | {s.captions_found}/{s.captions_expected} | {s.boilerplate} "
            f"| {s.ms:.1f} | {s.trafilatura_f1:.3f}, {s.trafilatura_boilerplate}, "
            f"{s.trafilatura_ms:.1f} |"
        )
    precision = statistics.mean(s.precision for s in scores)
    recall = statistics.mean(s.recall for s in scores)
    t_precision = statistics.mean(s.trafilatura_precision for s in scores)
    t_recall = statistics.mean(s.trafilatura_recall for s in scores)
    print(
        f"| **all {len(scores)}** | {sum(s.title_ok for s in scores)}/{len(scores)} "
        f"| {_f1(precision, recall):.3f} ({precision:.3f} / {recall:.3f}); "
        f"min {min(s.f1 for s in scores):.3f} "
        f"| min {min(s.f1_with_heads for s in scores):.3f} "
        f"| {sum(s.date_ok for s in scores)}/{len(scores)} "
        f"| {sum(s.captions_found for s in scores)}/{sum(s.captions_expected for s in scores)} "
        f"| {sum(s.boilerplate for s in scores)} "
        f"| {statistics.median(s.ms for s in scores):.1f} (median) "
        f"| {_f1(t_precision, t_recall):.3f}, {sum(s.trafilatura_boilerplate for s in scores)}, "
        f"{statistics.median(s.trafilatura_ms for s in scores):.1f} (median) |"
    )
    notes = [(s.page, note) for s in scores for note in s.notes]
    if notes:
        print()
        for page, note in notes:
            print(f"- {page}: {note}")


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _as_instant(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=KST)


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(KST).replace(second=0, microsecond=0)


def _median_ms(run, runs: int) -> float:
    times = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _mark(ok: bool) -> str:
    return "ok" if ok else "**miss**"


if __name__ == "__main__":
    raise SystemExit(main())
