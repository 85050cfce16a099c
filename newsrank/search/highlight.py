"""Matching words marked in a title and a body snippet: HTML-escaped text with `<mark>` tags.

Marking works on the text as written, by finding the query's terms (and the hanja abbreviations that
stand for them) as substrings, so no morphological analysis runs per result. A one-character term
is marked only as a word of its own (`_term_pattern`), so that 문 does not light up in 문제 or 조 in
조기.

A quoted phrase is marked only where its terms stand in order, as one mark, with nothing between two
of them but what gives no term of a post (`analyzer.analyze`): spaces and punctuation, and what is
written onto the first word: its particles (조를 지원), the suffixes 들 and 적 (기업들에 지원, 경제적
지원), a 하다/되다 form (지원했다 확대). A one-character first term may follow a number, as a
counter does. So "조 지원" marks 1조 지원 and 조를 지원하는, where the index finds the phrase, and
neither 조기 지원 nor 4조원 지원, where it does not (조기 and 원 are terms of their own); its lone 조
and 지원 are not marked. The index also finds a phrase across a word that gives no term ("지원 확대"
in 지원을 크게 확대: 크게 is a verb); that is left unmarked rather than guessed from the lone terms,
which the reader who typed the quotes did not ask for. Pure: no Django.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from collections.abc import Iterable

from newsrank.search.analyzer import PARTICLE, normalize
from newsrank.search.hanja import hanja_table

SNIPPET_CHARS = 160
# What may stand between two terms of a phrase (see the module docstring): closing punctuation, a
# suffix or a 하다/되다 form written onto the first word and up to two particles (bounded: particles
# overlap, 이나 = 이 + 나, and an unbounded run of them backtracks exponentially on a text that
# repeats them), then spaces and punctuation.
_PREDICATE = "(?:하|되|해|돼|했|됐|한|할|함|된|될|됨)[가-힣]{0,2}"
_ENDING = rf"(?:들|적|{_PREDICATE})?{PARTICLE}{{0,2}}"
_BETWEEN = rf"[^\w\s]{{0,2}}{_ENDING}\W{{0,3}}"
_WORD_START = r"(?<![^\W\d_])"  # not right after a letter; after a number is fine (1조)
_TERM_START = r"(?<![^\W_])"  # not right after a letter or a digit
_WORD_END = rf"(?={_ENDING}(?![^\W\d_]))"  # nothing but its endings before the next non-letter


def needles(terms: Iterable[str]) -> list[str]:
    """The strings to look for: the terms, and each hanja abbreviation whose word is one of them."""
    terms = {term for term in terms if term}
    found = set(terms)
    found.update(key for key, word in hanja_table().items() if word in terms)
    return sorted(found, key=len, reverse=True)


def highlight(text: str, terms: Iterable[str], *, phrases: Iterable[tuple[str, ...]] = ()) -> str:
    """`text` escaped for HTML, with each occurrence of a term or a phrase in `<mark>`."""
    text = normalize(text)
    return _render(text, _spans(text, needles(terms), tuple(phrases)))


def snippet(
    text: str,
    terms: Iterable[str],
    width: int = SNIPPET_CHARS,
    *,
    phrases: Iterable[tuple[str, ...]] = (),
) -> str:
    """About `width` characters of `text` around its densest matches, escaped and marked."""
    text = " ".join(normalize(text).split())  # whitespace as one space: 3 times as fast as \s+
    found = needles(terms)
    phrases = tuple(phrases)
    spans = _spans(text, found, phrases)
    start = 0
    if spans and len(text) > width:
        start = max(0, _densest(text, spans, width) - width // 4)
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space > 0 and start - space < 15 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 < space - end < 15 else end
    piece = text[start:end]
    inside = [(s - start, e - start) for s, e in spans if start <= s and e <= end]
    rendered = _render(piece, inside)
    return ("…" if start > 0 else "") + rendered + ("…" if end < len(text) else "")


def _densest(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """The start of the first `width`-long window that starts at a match and holds the most
    distinct matched words.

    One pass over the sorted, disjoint `spans`: a long body repeats a word hundreds of times."""
    words = [text[start:end].lower() for start, end in spans]
    inside: Counter[str] = Counter()  # the words of spans[first:last]
    best, most, last = spans[0][0], 0, 0
    for first, (start, _) in enumerate(spans):
        last = max(last, first)
        while last < len(spans) and spans[last][1] <= start + width:
            inside[words[last]] += 1
            last += 1
        if len(inside) > most:
            best, most = start, len(inside)
        if last > first:  # spans[first] leaves the window
            inside[words[first]] -= 1
            if not inside[words[first]]:
                del inside[words[first]]
    return best


def _spans(
    text: str, found: list[str], phrases: tuple[tuple[str, ...], ...] = ()
) -> list[tuple[int, int]]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters change length when lowered; keep offsets
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    spans = [match.span() for needle in found for match in _term_pattern(needle).finditer(lowered)]
    for phrase in phrases:
        if phrase and all(phrase):
            spans.extend(match.span() for match in _phrase_pattern(phrase).finditer(lowered))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.lru_cache(maxsize=256)
def _phrase_pattern(phrase: tuple[str, ...]) -> re.Pattern[str]:
    """The phrase's terms (or their hanja) in order, with `_BETWEEN` between each two; a
    one-character term starts a word if it is the first and ends one if it is the last."""
    words = []
    for index, term in enumerate(phrase):
        options = [
            (_WORD_START if index == 0 and len(needle) == 1 else "")
            + _written(needle)
            + (_WORD_END if index == len(phrase) - 1 and len(needle) == 1 else "")
            for needle in needles([term])
        ]
        words.append("(?:" + "|".join(options) + ")")
    return re.compile(_BETWEEN.join(words))


@functools.lru_cache(maxsize=1024)
def _term_pattern(needle: str) -> re.Pattern[str]:
    """A term as written (`_written`); one character only as a part of its own: a syllable
    where a word starts with it and only its endings follow (문, 조를; not 문제, 조기), a digit
    not inside a number (the 4 of 4조원, not of 48GB), a Latin letter not inside a Latin word
    (the g of 6g, not of Gbps), a hanja where a word starts with it (美中)."""
    if len(needle) > 1:
        return re.compile(_written(needle))
    if "가" <= needle <= "힣":
        start, end = _TERM_START, _WORD_END
    elif needle.isdigit():
        start, end = r"(?<!\d)", r"(?!\d)"
    elif needle.isascii():
        start, end = r"(?<![a-z])", r"(?![a-z])"
    else:
        start, end = _TERM_START, ""
    return re.compile(start + re.escape(needle) + end)


def _written(needle: str) -> str:
    """A pattern of `needle` as a text may write it: a number with or without its thousands
    commas (the terms drop them: 1,360원 is 1360원)."""
    return re.sub(r"(?<=\d)(?=\d)", ",?", re.escape(needle))


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    out, position = [], 0
    for start, end in spans:
        out.append(html.escape(text[position:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)
