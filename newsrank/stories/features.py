"""What a post contributes to story matching: the terms of its title and of its lead.

Terms come from the search analyzer (Kiwi nouns, proper nouns, Latin words, numbers with their
counters, compounds and stems; headline hanja read as Korean words, 與 → 여당), so grouping and
search see the same words. Before analysis the title loses its bracket tags (`[속보]`, `[사진]`,
`(종합2보)`) and the lead loses its dateline (`[서울=뉴시스]홍길동 기자 =`), and afterwards
boilerplate words and outlet names are dropped: they say who wrote a post, not what happened.
Native day counts read as figures (`day_counts.tsv`: "닷새 만에" and "5일째" are both 5일째).

The title is also kept as its letters alone (`title_letters`), for `trigram_overlap`: a shared run of
syllables survives the spacing, particles and contractions that split or merge Kiwi's terms.

Only the lead's first sentences count: feed snippets are long and uneven (some have none), and a
long snippet drowns the headline in background (the data README shows plain Jaccard losing
precision when the whole snippet is added). Pure: no Django.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

# One Kiwi pass gives both the search terms (`_words`, as `analyze` makes them) and the tags that
# tell names apart (`_morphemes`); analyzing twice would double the cost of placing a post.
from newsrank.search.analyzer import MAX_INDEX_CHARS, _morphemes, _words, clean_term, normalize
from newsrank.search.hanja import normalize_hanja

LEAD_CHARS = 160  # about the first sentence of a Korean news lead

# Words that say who wrote or how a post is packaged, not what happened. Outlet names are dropped as
# whole terms; an item's own outlet name (given by the caller) is dropped too.
BOILERPLATE = frozenset(
    [
        "기자",
        "특파원",
        "인턴",
        "사진",
        "속보",
        "단독",
        "종합",
        "포토",
        "영상",
        "뉴스",
        "보도",
        "기사",
        "취재",
        "제공",
        "출처",
        "뉴시스",
        "연합뉴스",
        "연합",
        "뉴스1",
        "조선일보",
        "조선",
        "중앙일보",
        "동아일보",
        "동아",
        "한겨레",
        "경향신문",
        "경향",
        "서울신문",
        "세계일보",
        "국민일보",
        "한국일보",
        "노컷뉴스",
        "노컷",
        "시사저널",
        "시사인",
        "여성신문",
        "프레시안",
        "osen",
        "vs",
        "월요일",
        "화요일",
        "수요일",
        "목요일",
        "금요일",
        "토요일",
        "일요일",
        "스포츠조선",
        "스포츠조선닷컴",
        "오전",
        "오후",
        "이날",
        "오늘",
        "어제",
        "내일",
        "지난",
        "당시",
        "현재",
        "최근",
        "관련",
        "이번",
    ]
)

# A bracket tag at the start or end of a title, or a parenthesised packaging note anywhere:
# [속보], [사진], 【단독】, <포토>, [대구 리뷰], (종합), (종합2보), (1보), (영상).
_TITLE_TAG = re.compile(
    r"^\s*(?:[\[【<〈][^\]】>〉]{0,20}[\]】>〉]\s*)+"
    r"|(?:\s*[\[【<〈][^\]】>〉]{0,20}[\]】>〉])+\s*$"
    r"|[(（]\s*(?:종합|속보|단독|\d+보|영상|포토|사진|인터뷰|르포)[^)）]{0,6}[)）]"
)
_FLASH = re.compile(r"[\[【(<]\s*(?:속보|1보)\s*[\]】)>]")
# A lead's dateline: "[서울=뉴시스]홍길동 기자 =", "(서울=연합뉴스) 홍길동 기자 =",
# "[OSEN=오세진 기자]", "[스포츠조선 이정혁 기자]", "[서울경제]", "홍길동 기자 =".
_DATELINE = re.compile(
    r"^\s*(?:[\[(【][^\])】]{0,40}[\])】]\s*)?(?:[가-힣]{2,4}(?:\s*인턴)?\s*(?:기자|특파원)\s*=\s*)?"
)
_BULLET = re.compile(r"\s*[▲■◆●◇]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[가-힣\"“‘'])")


# A calendar date ("2022년 8월 1일", "7월 30일", "2022년 07월 31일") says when, not what happened:
# recurring features (horoscopes, TV listings, box scores) share nothing else.
_DATE = re.compile(r"(?:(?:19|20)\d\d\s*년\s*)?\d{1,2}\s*월\s*\d{1,2}\s*일")
# An opinion piece (editorial, column, contribution, cartoon) is a story of its own.
_OPINION = re.compile(
    r"[\[【<〈][^\]】>〉]{0,20}(?:사설|칼럼|기고|시론|논단|시평|만평|수첩)[^\]】>〉]{0,20}[\]】>〉]"
)
# A weather forecast, by its title: "[날씨]", "[오늘의 날씨]", "[오늘(1일)의 날씨]", "오늘의 날씨 -
# 오전", "[내일 날씨]". The labels' criterion makes one day's forecasts one story, whatever each
# leads with (a typhoon, the heat, rain); their titles share little beyond the tag, which
# `clean_title` drops.
_FORECAST = re.compile(
    r"[\[【<〈][^\]】>〉]{0,12}날씨[^\]】>〉]{0,6}[\]】>〉]"
    r"|(?:오늘|내일|모레|주말|휴일)\s*(?:\(\s*\d{1,2}\s*일\s*\)\s*)?의?\s*날씨"
)
FORECAST_TERM = "날씨"  # a forecast's title term, kept where the tag held it
_COUNTED = re.compile(r"(\d[\d.]*)[가-힣]")
# "30일" dates the news of a day, not an event: every lead of a day has it.
_DAY_OF_MONTH = re.compile(r"(?:[1-9]|[12]\d|3[01])일")
# A day of the month a post names as its news day: "31일", "7월 31일", "오늘(31일)", "2022년 08월
# 01일". Not a day marked past ("지난 29일", "지난달 7일": background, a file photo's caption) nor a
# count of days ("5일째", "3일간", "5일 만에", after `normalize_day_counts`).
_NAMED_DAY = re.compile(
    r"(지난(?:달|해)?\s*)?(?:(?:19|20)\d\d\s*년\s*)?(?:\d{1,2}\s*월\s*)?"
    r"(?<![\d.])0?([1-9]|[12]\d|3[01])\s*일(?![째간만\d])"
)


DAY_COUNTS_PATH = Path(__file__).with_name("day_counts.tsv")


@cache
def day_counts() -> dict[str, int]:
    """Native Korean day counts (닷새 → 5), from `day_counts.tsv`."""
    table = {}
    for number, line in enumerate(DAY_COUNTS_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        word, sep, days = line.partition("\t")
        if not sep or not days.strip().isdigit():
            raise ValueError(f"{DAY_COUNTS_PATH.name}:{number}: expected 'word<TAB>days'")
        table[word.strip()] = int(days)
    return table


@cache
def _day_count_pattern() -> re.Pattern[str]:
    words = "|".join(sorted(map(re.escape, day_counts()), key=len, reverse=True))
    # "만" and "간" only as their own word ("25일 만기", "5일 간담회" are not counts of days).
    return re.compile(
        rf"(?<![\d가-힣])(\d+\s*일|{words})"
        rf"(\s*(?:만에|만의|만(?![가-힣])|동안)|째|간(?=$|[^가-힣]|[의에을]))"
    )


def normalize_day_counts(text: str) -> str:
    """ "닷새 만에", "5일만에" and "5일째" → "5일째"; "사흘간", "사흘 동안" → "3일간"."""

    def days(match: re.Match[str]) -> str:
        count = match.group(1)
        number = day_counts().get(count) or int(count.rstrip("일 \t"))
        return f"{number}일{'간' if match.group(2).strip() in ('간', '동안') else '째'}"

    return _day_count_pattern().sub(days, text)


def named_days(text: str) -> frozenset[int]:
    """The days of the month `text` names as its news day: "31일 발표했다" → {31}."""
    text = normalize_day_counts(normalize_hanja(normalize(text)))
    return frozenset(int(m.group(2)) for m in _NAMED_DAY.finditer(text) if not m.group(1))


@dataclass(frozen=True)
class Features:
    """The matching terms of one post."""

    title: frozenset[str]
    lead: frozenset[str]
    flash: bool  # a [속보]/(1보) flash, whose full report the same outlet files minutes later
    opinion: bool = False  # an editorial or column: never grouped with other outlets' posts
    # Names (Kiwi NNP), Latin words and counted numbers among the terms: who and how much, the
    # words that tell one event from another of the same kind.
    entities: frozenset[str] = frozenset()
    # The days of the month its title and lead name (`named_days`): posts naming only different
    # days report different happenings (two days' forecasts, one person's statements of two days).
    days: frozenset[int] = frozenset()
    # The cleaned title's letters and digits (`title_letters`), for `trigram_overlap`; derived
    # from the title alone, so a crawler's warm-up computes it again rather than storing it.
    title_letters: str = ""
    # A weather forecast (`is_forecast`): two forecasts naming one day are one story. Derived from
    # the title alone, like `title_letters`.
    forecast: bool = False

    @property  # not cached: a crawler holds 120,000 posts' features
    def terms(self) -> frozenset[str]:
        return self.title | self.lead


def clean_title(title: str) -> str:
    """The title without bracket tags and packaging notes, hanja read as Korean words."""
    title = normalize_hanja(normalize(title))
    previous = None
    while previous != title:
        previous, title = title, _TITLE_TAG.sub(" ", title)
    return " ".join(title.split())


# Hangul syllables, Latin letters and digits, once the title is lowercased.
_LETTER_RUN = re.compile(r"[가-힣a-z0-9]+")


def title_letters(title: str) -> str:
    """The cleaned title's syllables, letters and digits, lowercased, without spaces or punctuation:
    "[속보] 바이든, 코로나19 재확진(종합)" → "바이든코로나19재확진"."""
    return "".join(_LETTER_RUN.findall(clean_title(title).lower()))


@lru_cache(maxsize=4096)  # a post's trigrams are asked for once per member of each candidate story
def _trigrams(letters: str) -> frozenset[str]:
    return frozenset(letters[i : i + 3] for i in range(len(letters) - 2))


def trigram_overlap(a: str, b: str) -> float:
    """The share of the shorter text's distinct character trigrams that the other holds, 0..1.

    Two headlines of one event share runs of syllables however they are spaced and inflected,
    where Kiwi's terms split differently: "추신수 3점포" and "추신수, 3점 결승 대포" share
    "신수3" and "수3점" but no term beyond 추신수; "철거하던" and "철거하다" share "철거하". The
    shorter title decides, so a flash headline inside a long one counts fully. Measured on the DEV
    window (bench/RESULTS.md, sixth session): it raised both held-out halves, where the bigram
    and trigram Dice, Jaccard, 4-grams, in-word n-grams and the lead's n-grams did not.
    """
    grams_a, grams_b = _trigrams(a), _trigrams(b)
    if not grams_a or not grams_b:
        return 0.0
    return len(grams_a & grams_b) / min(len(grams_a), len(grams_b))


def lead_of(text: str, limit: int = LEAD_CHARS, title: str = "") -> str:
    """The first sentence or so of a feed text, without its dateline, a repeat of the title, or a
    bulleted list (▲ related links, ◇ personnel lists) after it."""
    text = normalize_hanja(normalize(text or ""))
    title = normalize_hanja(normalize(title)).strip()
    text = next((piece for piece in _BULLET.split(text) if piece.strip()), "").strip()
    if title and text.startswith(title):
        text = text[len(title) :]
    text = _DATELINE.sub("", text, count=1)
    first = _SENTENCE_END.split(text, maxsplit=1)[0]
    return first[:limit]


def is_flash(title: str) -> bool:
    """True for a [속보] or (1보) flash headline."""
    return bool(_FLASH.search(title))


def is_opinion(title: str) -> bool:
    """True for an editorial, column, contribution or cartoon by its title tag ([사설], [정동칼럼])."""
    return bool(_OPINION.search(title))


def is_forecast(title: str) -> bool:
    """True for a weather forecast by its title ("[오늘(1일)의 날씨] 전국 흐리고 비")."""
    return bool(_FORECAST.search(normalize(title)))


def same_day_forecasts(one: Features, other: Features) -> bool:
    """Both weather forecasts, naming a common day: one story, whatever each leads with."""
    return one.forecast and other.forecast and bool(one.days & other.days)


def _analyze(text: str) -> tuple[list[str], set[str]]:
    """The search terms of `text`, and its proper nouns (NNP) and Latin words (SL) as terms."""
    text = normalize(text)[:MAX_INDEX_CHARS]
    morphemes = _morphemes(text)
    terms = []
    for word in _words(text, morphemes):
        terms.extend(term for term, _, _ in word.parts)
        terms.extend(word.extras)
    names = {clean_term(form) for form, tag, _, _ in morphemes if tag in ("NNP", "SL")}
    return terms, names


def interned(terms: Iterable[str]) -> frozenset[str]:
    """`terms` as interned strings: a crawler holds 72 hours of posts' features (120,000 posts at
    a portal's pace), and most of their terms are the same few thousand words; one string each
    instead of one per post (a warm-up at 1M posts: 706 → 467 MB)."""
    return frozenset(map(sys.intern, terms))


def _is_entity(term: str, names: set[str]) -> bool:
    return term in names or any(char.isdigit() or char.isascii() for char in term)


def _terms(text: str, drop: frozenset[str]) -> tuple[frozenset[str], set[str]]:
    """The matching terms of `text` and, among them, its entities."""
    text = normalize_day_counts(_DATE.sub(" ", text))
    if not text.strip():
        return frozenset(), set()
    analyzed, names = _analyze(text)
    terms = interned(_number(term) for term in analyzed if term not in drop)
    # A counted number stands for its bare number (7연패 covers 7), so one fact is not counted twice.
    counted = {match.group(1) for term in terms if (match := _COUNTED.match(term))}
    terms = {term for term in terms if _is_content(term) and term not in counted}
    # A compound whose parts are terms too (직무대행 beside 직무, 대행) would count one concept
    # three times; its parts stay, as they also match other compounds (다중채무자, 다중채무액). A
    # word with only one longer part (강훈식 beside 강훈, Kiwi splitting a name) keeps both.
    kept = frozenset(term for term in terms if _parts_in(term, terms) < 2)
    return kept, {term for term in kept if _is_entity(term, names)}


# A number counted in people, won, cases or places stands for its amount: 200만명 and 200만 are one
# figure, as are 5988명 and 5988. Other counters say what is counted (7연패, 6호, 3개월) and stay.
_PLAIN_COUNT = re.compile(r"(\d[\d.]*(?:만|억|조|천)?)(?:명|원|건|곳|개|가구|마리|대|채|톤|달러)")


def _number(term: str) -> str:
    match = _PLAIN_COUNT.fullmatch(term)
    return match.group(1) if match else term


def _parts_in(term: str, terms: set[str]) -> int:
    return sum(1 for other in terms if other != term and len(other) > 1 and other in term)


def _is_content(term: str) -> bool:
    """False for a lone Hangul syllable (일, 호, 만: counters and fragments) or a day of month."""
    if len(term) == 1 and not term.isascii():
        return False
    return not _DAY_OF_MONTH.fullmatch(term)


def post_features(title: str, text: str = "", outlet_name: str = "") -> Features:
    """The features of a post from its title, its feed text or first paragraph, and its outlet."""
    drop = BOILERPLATE | {term.lower() for term in outlet_name.split()}
    title_terms, title_entities = _terms(clean_title(title), drop)
    forecast = is_forecast(title)
    if forecast:  # the tag's word, which `clean_title` drops, retrieves the day's other forecasts
        title_terms = title_terms | interned([FORECAST_TERM])
    lead = lead_of(text, title=title)
    lead_terms, lead_entities = _terms(lead, drop)
    return Features(
        title=title_terms,
        lead=lead_terms,
        flash=is_flash(title),
        opinion=is_opinion(title),
        entities=frozenset(title_entities | lead_entities),
        # From the title as written: its bracket tags name days too ("[오늘(31일)의 날씨]").
        days=named_days(title) | named_days(lead),
        title_letters=title_letters(title),
        forecast=forecast,
    )
