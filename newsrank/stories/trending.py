"""Trending keywords: the terms whose share of recent posts rises most against their own baseline.

Counts are document frequencies: how many posts of a window contain the term (`document_terms`
gives a set per post). A term seen `b` times in `baseline_hours` is expected

    e = b · recent_hours / baseline_hours

times in the recent window. Its score is a z-score of the recent count `r` against that expectation:

    score = (r − e) / sqrt(e + e · recent_hours / baseline_hours + OVERDISPERSION · e² + PRIOR)

- `e` is the Poisson variance of the recent count; `e · recent/baseline` the noise in the baseline
  estimate itself (a short baseline is a rough guess).
- `OVERDISPERSION · e²` (a negative-binomial variance): news words are burstier than Poisson, so at
  25,000+ posts a day a perpetual word (정부, 대통령) rising 20% would otherwise outrank a new event;
  with it, a common word needs a large relative rise.
- `PRIOR` is a floor on the variance: a brand-new word seen 3 times (e = 0) scores 3/√5 ≈ 1.3, not
  infinity, and a new name in 40 posts (a typhoon called 하늘) still leads with ≈ 18.

The baseline should be the window just before the recent one (disjoint), e.g. the last 3 hours
against the 7 days before them. Terms below `min_count` recent posts are not shown; a term that is
part of a better-scoring term with about the same recent count (한성 inside 한성반도체) is dropped as
the same keyword.

Pure: no Django (the analyzer loads Kiwi on first use).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from newsrank.search.analyzer import Word, analyze_words, clean_term, normalize

PRIOR = 5.0
OVERDISPERSION = 0.05
SAME_KEYWORD = 0.8  # one term inside another, in ≥ 80% as many posts: the same keyword


@dataclass(frozen=True)
class Trend:
    """A rising term: posts with it in the recent window, posts expected from its baseline, score."""

    term: str
    recent_count: int
    expected: float
    score: float


def trending_terms(
    recent: Counter,
    baseline: Counter,
    recent_hours: float,
    baseline_hours: float,
    *,
    min_count: int = 3,
    limit: int = 20,
) -> list[Trend]:
    """The `limit` terms of `recent` that rise most against their rate in `baseline`, best first."""
    if recent_hours <= 0 or baseline_hours <= 0:
        raise ValueError("window lengths must be positive")
    ratio = recent_hours / baseline_hours
    candidates = []
    for term, count in recent.items():
        if count < min_count:
            continue
        expected = baseline.get(term, 0) * ratio
        variance = expected + expected * ratio + OVERDISPERSION * expected**2 + PRIOR
        score = (count - expected) / math.sqrt(variance)
        if score > 0:
            candidates.append(Trend(term, count, expected, score))
    # Best first; on a tie the longer term (the whole name rather than its part), then by spelling.
    candidates.sort(key=lambda t: (-t.score, -len(t.term), t.term))
    chosen: list[Trend] = []
    for trend in candidates:
        if len(chosen) >= limit:
            break
        if not any(_same_keyword(trend, better) for better in chosen):
            chosen.append(trend)
    return chosen


def _same_keyword(trend: Trend, better: Trend) -> bool:
    """Whether one term is written inside the other and they rise in nearly the same posts."""
    a, b = trend.term, better.term
    if a == b or (a not in b and b not in a):
        return False
    low, high = sorted((trend.recent_count, better.recent_count))
    return low >= SAME_KEYWORD * high


# --- The terms of a post -----------------------------------------------------------------------

# Words on every news page that say nothing about the event. Gathered from the sample outlets and
# the bylines, credits and headline tags Korean outlets use (see newsrank/ingest/clean.py for the
# lines the cleaner removes whole; these are the words that survive inside sentences and titles).
_BOILERPLATE_WORDS = """
    기자 특파원 앵커 리포터 논설위원 편집국 데스크 취재 인턴
    사진 영상 제공 출처 그래픽 자료 캡처 이메일 제보 연합 화면
    저작권 무단 전재 재배포 배포 금지 구독 클릭
    속보 단독 종합 포토 화보 인터뷰 르포 사설 칼럼 기고 시론 오피니언 분석 해설 업데이트 1보 2보 3보
    뉴스 신문 일보 방송 통신 기사 보도 언론 매체
    오늘 어제 내일 지난 이날 전날 다음날 당일 올해 지난해 작년 내년 최근 현재 당시 지금 금일
    오전 오후 새벽 저녁 주말 이번 이후 이전 그동안 향후
    관계자 관련 경우 가운데 정도 이상 이하 가량 대비 전년 동기 설명 예정 전망 대상 상황 내용
"""
BOILERPLATE = frozenset(_BOILERPLATE_WORDS.split())

# Number words that name no thing: a date or duration (3일, 1시간여, 58분께), or a bare magnitude
# (1천, 12만; 32조원 stays). Every article has them.
_NOT_A_THING = re.compile(
    r"[\d.]+(?:(?:일|시|분|초|시간|주|주일|개월|월|년|년간|일간)(?:께|쯤|경|여|째|간)?|[십백천만억조]+)"
)
# A word's stem (the word minus its particles) is kept: it is the name Kiwi split (강문석 → 강·문).
# Not when it is the noun plus a contracted particle or a suffix Kiwi did not mark as one
# (서울서, 부산선, 선수들, 수출용); words that end so by nature (보고서, 선수단) Kiwi reads whole.
_STEM_TAILS = frozenset("서선엔께들용론")
# Headline tags ([속보], 【단독】, [종합2보]) and lead tags ((서울=연합뉴스), [서울경제=…]).
_TAG = re.compile(r"[\[【〔][^\]】〕]{1,16}[\]】〕]|\([^()]{1,20}=[^()]{1,20}\)")
_HANJA = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LETTER = re.compile(r"[^\W\d_]")
# The word before one of these is a byline name (최석훈 기자), not news.
_BYLINE_ROLES = frozenset({"기자", "특파원", "앵커", "논설위원", "객원기자", "인턴기자"})


def document_terms(title: str, text: str, *, outlets: Iterable[str] = ()) -> set[str]:
    """The keywords of a post: nouns, names, Latin words and counted numbers of title and text.

    Pass the lead (first paragraph or two) as `text`: that is where an event is named. `outlets`
    are outlet names to leave out (a post's own and others' credits, "(서울=바람뉴스통신)").
    """
    names = sorted({normalize(name).strip() for name in outlets if name.strip()}, key=len)
    dropped = {clean_term(name) for name in names}
    source = _TAG.sub(" ", normalize(title)) + "\n" + _TAG.sub(" ", normalize(text))
    for name in reversed(names):  # longest first: 바람뉴스통신 before 바람뉴스
        source = source.replace(name, " ")
    terms: set[str] = set()
    words = analyze_words(source)
    for word, following in zip(words, [*words[1:], None][: len(words)], strict=True):
        if following is not None and following.text in _BYLINE_ROLES:
            continue
        terms.update(term for term in _candidates(word) if _is_keyword(term, dropped))
    return terms


def _candidates(word: Word) -> list[str]:
    parts = [term for term, _, _ in word.parts]
    # A counter alone (개월 of 8개월, 명 of 231명) is no keyword; the whole number word may be.
    candidates = [
        term
        for i, (term, start, _) in enumerate(word.parts)
        if not (i and word.parts[i - 1][2] == start and not _LETTER.search(parts[i - 1]))
    ]
    candidates += word.compounds + [word.stem]
    core = parts[:-1] if parts and parts[-1] in _STEM_TAILS else parts
    stem = word.stem
    if stem[-1:] in _STEM_TAILS and stem[:-1] == "".join(core):
        return [term for term in candidates if term != stem]  # 서울서 is 서울
    return candidates


def _is_keyword(term: str, dropped: set[str]) -> bool:
    return (
        len(term) >= 2
        and term not in BOILERPLATE
        and term not in dropped
        and _LETTER.search(term) is not None  # no bare numbers or scores (62, 3-1, 0.25)
        and _HANJA.search(term) is None  # 전년比: the hanja reading is a part already
        and not _NOT_A_THING.fullmatch(term)
    )
