"""요약: up to three sentences of the article itself, chosen by the headline's words and the lead.

Korean news is written lead first (역피라미드): the first sentence usually says who did what, and
later sentences that repeat the headline's names carry the rest. So each sentence scores

    score = |terms(sentence) ∩ terms(title)| / |terms(title)|  +  LEAD_WEIGHT / (1 + position)

and the best ones, minus near-duplicates of one already taken, are returned in article order,
verbatim. No summary for a short article (it is its own summary), a photo item, or an opinion piece
(a column's argument does not survive being cut to three sentences, and its lead is no summary).

Pure: no Django (the analyzer loads Kiwi on first use).
"""

from __future__ import annotations

import re

from newsrank.stories.trending import document_terms

MIN_SENTENCES = 4
MIN_CHARS = 300
LEAD_WEIGHT = 0.5
DUPLICATE = 0.5  # Jaccard overlap of terms above which a sentence repeats one already chosen
SENTENCE_CHARS = (15, 400)  # shorter is a fragment or credit; longer is a run-on we split wrong

# Items that get no summary, by a tag in the title or by section. Tags as Korean outlets write them:
# [사설], [칼럼], 【기고】, <시론>, [기자수첩], [포토], [화보] …
_NO_SUMMARY_WORDS = (
    "사설|칼럼|기고|시론|오피니언|기자수첩|데스크|논단|포럼|시평|발언대|독자투고|특별기고|"
    "포토|사진|화보|포토뉴스"
)
_NO_SUMMARY_TAG = re.compile(
    rf"[\[【<〈(][^\]】>〉)]{{0,8}}(?:{_NO_SUMMARY_WORDS})[^\]】>〉)]{{0,8}}[\]】>〉)]"
)
_NO_SUMMARY_SECTION = re.compile(
    r"opinion|editorial|column|photo|오피니언|사설|칼럼|포토|사진|화보", re.IGNORECASE
)

# A sentence ends at . ! ? (and any closing quotes or brackets after it) before a space or the
# end of the paragraph, or at 다. 요. 까. 죠. written without the space before the next sentence.
_END = re.compile(r"[.!?]+[\"'”’」』)\]]*(?=\s|$)|(?<=[다요까죠])\.(?=[가-힣])")
# No end after a digit (2.75%, "2025. 10. 14."), a single capital (U.S.), or these abbreviations.
_ABBREVIATIONS = re.compile(
    r"(?:\b[A-Z]|\d|\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Inc|Co|Corp|Ltd|No|vs|etc|approx|Gov|Sen|Rep|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e))$"
)
_OPEN_QUOTE, _CLOSE_QUOTE = "“", "”"
# Lines that are credits or notices, not news (the cleaner removes most; these guard the rest).
_NOT_NEWS = re.compile(r"@|무단\s*전재|재배포|^\s*(?:사진|자료|그래픽|영상)\s*[=:]|^[▶▷■□◆◇●○☞※△▲]")


def summarize(
    title: str, paragraphs: list[str], *, max_sentences: int = 3, section: str = ""
) -> list[str]:
    """Up to `max_sentences` sentences of the article, verbatim and in order; [] if none fit."""
    if _NO_SUMMARY_TAG.search(title) or _NO_SUMMARY_SECTION.search(section or ""):
        return []
    sentences = [s for paragraph in paragraphs for s in split_sentences(paragraph)]
    if len(sentences) < MIN_SENTENCES or sum(len(s) for s in sentences) < MIN_CHARS:
        return []
    title_terms = document_terms(title, "")
    scored = []
    for position, sentence in enumerate(sentences):
        if not SENTENCE_CHARS[0] <= len(sentence) <= SENTENCE_CHARS[1] or _NOT_NEWS.search(
            sentence
        ):
            continue
        terms = document_terms(sentence, "")
        overlap = len(terms & title_terms) / len(title_terms) if title_terms else 0.0
        scored.append((overlap + LEAD_WEIGHT / (1 + position), position, terms))
    scored.sort(key=lambda item: (-item[0], item[1]))
    chosen: list[tuple[int, set[str]]] = []
    for _, position, terms in scored:
        if len(chosen) == max_sentences:
            break
        if any(_jaccard(terms, other) >= DUPLICATE for _, other in chosen):
            continue
        chosen.append((position, terms))
    return [sentences[position] for position, _ in sorted(chosen)]


def split_sentences(text: str) -> list[str]:
    """The sentences of one paragraph, each a stripped slice of `text`."""
    sentences = []
    start = 0
    straight_quotes_pair = text.count('"') % 2 == 0
    for match in _END.finditer(text):
        before = text[start : match.start()]
        if match.group().startswith(".") and _ABBREVIATIONS.search(before):
            continue
        if _inside_quote(text[start : match.end()], straight_quotes_pair):
            continue
        sentence = text[start : match.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _inside_quote(text: str, straight_quotes_pair: bool) -> bool:
    """Whether `text` leaves a quotation open (a quote of several sentences is one sentence)."""
    if text.count(_OPEN_QUOTE) > text.count(_CLOSE_QUOTE):
        return True
    return straight_quotes_pair and text.count('"') % 2 == 1


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
