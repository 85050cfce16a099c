"""The search box's syntax, as Korean portal users know it, parsed into a `Query`.

    반도체 수출          both words (any order, any particles)
    "반도체 수출 지원"    the words next to each other, in this order
    반도체 -관세         without posts that have 관세 (also 반도체 NOT 관세; AND is what words do)
    outlet:가람일보      only that outlet's posts (also 언론사:가람일보, outlet:"두 단어")

What is not supported (OR, -outlet:, a second outlet) or cut (past 256 characters, 8 words or 8
exclusions) is said in a message.

Dates (`date_from`, `date_to`, inclusive days in Asia/Seoul), title-only and the sort order come as
parameters from the form and the API. Any input gives a `Query`: one with nothing to search is
`empty` and carries a `message` for the reader. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from newsrank.search.analyzer import (
    MAX_QUERY_CHARS,
    QueryTerm,
    normalize,
    phrase_terms,
    query_terms,
)

KST = ZoneInfo("Asia/Seoul")
MAX_TERMS = 8  # required words and phrases; more would only slow the query down
MAX_EXCLUDED = 8
SORTS = ("relevance", "date")

MESSAGE_NO_INPUT = "검색어를 입력하세요."
MESSAGE_NOTHING_TO_SEARCH = (
    "검색할 수 있는 단어가 없습니다. 명사, 영문, 숫자로 된 검색어를 넣어 보세요."
)
MESSAGE_ONLY_OUTLET = "언론사만으로는 검색할 수 없습니다. 찾을 단어를 함께 넣어 보세요."
MESSAGE_ONLY_EXCLUDED = "빼고 찾을 단어만으로는 검색할 수 없습니다. 찾을 단어를 함께 넣어 보세요."
MESSAGE_TOO_MANY = f"검색어가 많아 앞의 {MAX_TERMS}개만 사용했습니다."
MESSAGE_TOO_MANY_EXCLUDED = f"빼고 찾을 단어가 많아 앞의 {MAX_EXCLUDED}개만 뺐습니다."
MESSAGE_TOO_LONG = f"검색어가 길어 앞의 {MAX_QUERY_CHARS}자만 사용했습니다."
MESSAGE_ONE_OUTLET = "언론사는 하나만 지정할 수 있어 ‘{name}’에서 찾았습니다."
MESSAGE_NO_OR = "OR 검색은 지원하지 않아 모든 단어가 들어간 글을 찾았습니다."
MESSAGE_NO_OUTLET_EXCLUSION = "언론사를 빼는 -outlet:은 쓸 수 없어 무시했습니다."
MESSAGE_BAD_DATE = "날짜는 2025-01-31 형식으로 입력하세요. 잘못된 날짜는 빼고 검색했습니다."

# AND is what words already do, NOT is "-", OR is not supported (said in a message).
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})
_ITEM = re.compile(
    r"""(?P<neg>-)?(?:
        "(?P<phrase>[^"]*)"?
      | (?P<field>outlet|언론사):\s*(?:"(?P<quoted_value>[^"]*)"?|(?P<value>\S+))?
      | (?P<word>[^\s"]+)
    )""",
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Query:
    """A parsed search: what must match, what must not, and the filters."""

    text: str = ""
    required: tuple[QueryTerm, ...] = ()
    excluded: tuple[QueryTerm, ...] = ()
    outlet: str = ""
    date_from: datetime | None = None  # inclusive, aware
    date_to: datetime | None = None  # exclusive, aware
    title_only: bool = False
    sort: str = "relevance"
    messages: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Nothing to search: the backends answer an empty result without touching the index."""
        return not self.required

    @property
    def message(self) -> str:
        return " ".join(self.messages)

    @property
    def highlight_terms(self) -> set[str]:
        """The terms marked wherever they stand: those of the words typed without quotes."""
        return {term for word in self.required if not word.quoted for term in word.terms}

    @property
    def highlight_phrases(self) -> set[tuple[str, ...]]:
        """The quoted phrases, marked only where their terms stand together; excluded words never."""
        return {terms for word in self.required if word.quoted for terms in word.alternatives}


def parse_query(
    text: str | None,
    *,
    date_from: date | str | None = None,
    date_to: date | str | None = None,
    title_only: bool = False,
    sort: str = "relevance",
) -> Query:
    """Parse the search box's text and the form's fields; never raises on any input."""
    text = " ".join(normalize(text or "").translate(_QUOTES).split())
    too_long, text = len(text) > MAX_QUERY_CHARS, text[:MAX_QUERY_CHARS]
    messages: list[str] = []
    words: list[str] = []
    required: list[QueryTerm] = []
    excluded: list[QueryTerm] = []
    outlets: list[str] = []
    negate_next = False  # after NOT
    for item in _ITEM.finditer(text):
        negative = bool(item.group("neg")) or negate_next
        negate_next = False
        operator = item.group("word")
        if operator in _OPERATORS and not item.group("neg"):  # in capitals, as other boxes
            negate_next = operator == "NOT"
            if operator == "OR":
                messages.append(MESSAGE_NO_OR)
            continue
        if item.group("field"):
            name = (item.group("quoted_value") or item.group("value") or "").strip()
            if negative:
                messages.append(MESSAGE_NO_OUTLET_EXCLUSION)
            elif name:
                outlets.append(name)
        elif item.group("phrase") is not None:
            terms = _phrase(item.group("phrase"))
            (excluded if negative else required).extend(terms)
        elif negative:
            excluded.extend(query_terms(item.group("word")))
        else:
            words.append(item.group("word"))
    # Plain words are analyzed together: Kiwi reads a name better in its sentence.
    required = query_terms(" ".join(words)) + required if words else required
    required, excluded = _unique(required), _unique(excluded)  # a repeated word counts once

    start, end, bad_date = _day(date_from, 0), _day(date_to, 1), False
    for value, parsed in ((date_from, start), (date_to, end)):
        bad_date |= bool(value) and parsed is None
    if start and end and start >= end:
        start, end = _day(date_to, 0), _day(date_from, 1)
    if bad_date:
        messages.append(MESSAGE_BAD_DATE)

    outlet = outlets[-1] if outlets else ""
    if len(set(outlets)) > 1:
        messages.append(MESSAGE_ONE_OUTLET.format(name=outlet))
    if too_long:
        messages.insert(0, MESSAGE_TOO_LONG)
    if not required:
        if excluded:
            messages.insert(0, MESSAGE_ONLY_EXCLUDED)
        elif outlet:
            messages.insert(0, MESSAGE_ONLY_OUTLET)
        elif text.strip():
            messages.insert(0, MESSAGE_NOTHING_TO_SEARCH)
        else:
            messages.insert(0, MESSAGE_NO_INPUT)
    elif len(required) > MAX_TERMS:
        messages.insert(0, MESSAGE_TOO_MANY)
    if len(excluded) > MAX_EXCLUDED:
        messages.append(MESSAGE_TOO_MANY_EXCLUDED)

    return Query(
        text=text,
        required=tuple(required[:MAX_TERMS]),
        excluded=tuple(excluded[:MAX_EXCLUDED]),
        outlet=outlet,
        date_from=start,
        date_to=end,
        title_only=bool(title_only),
        sort=sort if sort in SORTS else "relevance",
        messages=tuple(dict.fromkeys(messages)),  # each once, however often its cause
    )


def _phrase(text: str) -> list[QueryTerm]:
    terms = phrase_terms(text)
    if len(terms) < 2:
        return query_terms(text)  # a quoted single word is just that word
    return [QueryTerm(text.strip(), (terms,), quoted=True)]


def _unique(words: list[QueryTerm]) -> list[QueryTerm]:
    seen, unique = set(), []
    for word in words:
        if word.alternatives not in seen:
            seen.add(word.alternatives)
            unique.append(word)
    return unique


def _day(value: date | str | None, add_days: int) -> datetime | None:
    """Midnight in Seoul starting the day (add_days=0) or ending it (add_days=1)."""
    if not value:
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            return None
    if not date(1900, 1, 1) <= value <= date(9998, 12, 30):
        return None  # no news so old or so far off; year 1 in Seoul is before datetime.min in UTC
    try:
        return datetime.combine(value + timedelta(days=add_days), time(), tzinfo=KST)
    except OverflowError:
        return None
