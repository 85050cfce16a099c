"""Korean analysis for search: the terms of a post and of a query, made the same way.

Kiwi (kiwipiepy) splits Korean into morphemes; we keep the searchable ones:

- nouns (NNG, NNP) of any length, so "인텔과"/"인텔의" give 인텔 and 2-syllable nouns (증원, 의대) count;
- Latin (SL, lower-cased) and numbers (SN) with the counters written on them (5세대, 2032년, 12만호);
- headline hanja abbreviations (SH) as their Korean words (美 → 미국), from `hanja.tsv`.

A post's terms come in two streams. *Parts* are those morphemes in text order; adjacency in this
stream is what a phrase query matches. *Extras* are whole words: each compound written without a
space ("AI반도체" → ai반도체 beside its parts ai, 반도체; "HBM3E" → hbm3e) and each word's *stem*, the
word as written minus the particles Kiwi found at its end. The stem keeps an unknown name searchable
when Kiwi splits it differently in different sentences (it reads "강문석 장관" as 강·문 + 석/MM but
"강문석" alone as 강·문·석; "겨울 등대" as 등/NNB + 대/XPN).

A query word matches when any of its alternatives does: its parts as a phrase, its compound, its
stem, or its surface. Pure: no Django. The model (~300–500 MB) loads on first use, once per process.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, field

from newsrank.search.hanja import hanja_word

# Bump when the terms of a text (or what an entry holds beside them) change: the crawler then
# re-indexes the entries of older versions in the background (`backends.reindex_stale`), newest
# first. 3: a hanja written right after a number or a Korean word takes its reading there (3명中 →
# 3명중, not 3명중국). 4: an entry holds its outlet's tag (`backends.Backend.outlet_tag`). 5: on
# PostgreSQL, a document holds each pair of adjacent terms (`backends.PostgresBackend.pairs`). 6: on
# PostgreSQL, a document holds its blocks as its outlet's (`backends.PostgresBackend.block_lexeme`).
# 7: a long noun that Kiwi read whole also gives the nouns it is made of (`noun_pieces`), and
# invisible characters inside a word no longer split it (`normalize`).
ANALYZER_VERSION = 7

# Posts longer than this are analyzed up to here: Kiwi runs at about 40,000 characters a second.
MAX_INDEX_CHARS = 20_000
MAX_QUERY_CHARS = 256
MAX_TERM_CHARS = 40  # a longer "word" is noise; cut alike in posts and queries

_NOUNS = frozenset({"NNG", "NNP"})
_NUMBERS = frozenset({"SN", "W_SERIAL"})
_COUNTERS = frozenset({"NNB", "NR"})  # kept only right after a number: 2032년, 4조1천억원
_PREDICATE_TAGS = frozenset({"XSV", "XSA", "XSM"})
_NOT_A_STEM = frozenset({"MAG", "MAJ", "IC"})  # adverbs and interjections alone are no stem

# A word: letters/digits of any script, with inner hyphens, dots and digit commas (HX-16, 5.8,
# 미르내-2, 1,360원).
_WORD = re.compile(r"(?:[^\W_]|[.\-]|(?<=\d),(?=\d))+")
# Particles (조사) typed alone in a query; Kiwi, seeing no noun to attach them to, may read some as
# nouns (으로부터 → 으/NNG, 은 → 은/NNG 'silver'), so a query word made only of these is skipped.
# Highlighting lets them stand between the words of a phrase (newsrank/search/highlight.py).
_PARTICLES_LIST = (
    "이 가 께서 에서 을 를 의 에 에게 께 한테 더러 로 으로 와 과 랑 이랑 하고 도 만 은 는 부터 까지 "
    "조차 마저 처럼 보다 같이 라고 이라고 이나 나 이며 며 든지 이든지 야 이야 로부터 으로부터 에게서 "
    "한테서 에서부터 로서 으로서 로써 으로써 밖에 뿐 요"
)
PARTICLE = "(?:" + "|".join(sorted(_PARTICLES_LIST.split(" "), key=len, reverse=True)) + ")"
_PARTICLES = re.compile(PARTICLE + "+")
# Not part of a term: punctuation, symbols, and bare jamo (ㅋㅋ, ㅠㅠ are chat noise, not words).
_TERM_JUNK = re.compile(r"[^\w.\-]|[_\u1100-\u11ff\u3131-\u318e]")
# Full-width Latin and digits (ＡＩ, Ｋ팝) as ASCII, one character for one; and the invisible
# characters that pasted text carries inside words (zero-width space and joiners, word joiner, soft
# hyphen, a BOM), which would split 반​도체 in two, dropped.
_INVISIBLE = "\u200b\u200c\u200d\u2060\u00ad\ufeff"
_FULLWIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
    | {"\u3000": " "}
    | dict.fromkeys(_INVISIBLE)
)


_HAS_FULLWIDTH = re.compile(f"[\uff01-\uff5e\u3000{_INVISIBLE}]")


def normalize(text: str) -> str:
    """NFC (never NFKD, which splits Hangul into jamo), full-width ASCII as ASCII, and no
    invisible characters."""
    text = unicodedata.normalize("NFC", text)
    # translate() looks up every character; most texts have nothing to translate
    return text.translate(_FULLWIDTH) if _HAS_FULLWIDTH.search(text) else text


def clean_term(term: str) -> str:
    """A term as stored: lower case, letters/digits with inner '.' and '-' only (1,360 → 1360)."""
    return _TERM_JUNK.sub("", term.lower())[:MAX_TERM_CHARS].strip(".-")


# Kiwi's forms repeat (정부, 대통령, 년): each is cleaned once per process. Bounded like the word cache.
_FORM_CACHE_SIZE = 100_000
_form_terms: dict[str, str] = {}


def _form_term(form: str) -> str:
    term = _form_terms.get(form)
    if term is None:
        if len(_form_terms) >= _FORM_CACHE_SIZE:
            _form_terms.clear()
        term = _form_terms[form] = clean_term(form)
    return term


# --- Kiwi, loaded once per process -------------------------------------------------------------

_kiwi = None
_load_lock = threading.Lock()
_use_lock = threading.Lock()  # kiwipiepy does not promise thread safety; analysis is short


def _get_kiwi():
    global _kiwi
    if _kiwi is None:
        with _load_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi(num_workers=1)
    return _kiwi


def _morphemes(text: str) -> list[tuple[str, str, int, int]]:
    """(form, tag, start, end) of each morpheme, offsets into `text`."""
    if not text.strip():
        return []
    kiwi = _get_kiwi()
    with _use_lock:
        tokens = kiwi.tokenize(text)
    return [(token.form, token.tag, token.start, token.start + token.len) for token in tokens]


# --- Words and their terms ----------------------------------------------------------------------


@dataclass
class Word:
    """One written word (a run of letters/digits) and what it gives to the index."""

    text: str
    start: int
    end: int
    parts: list[tuple[str, int, int]] = field(default_factory=list)  # (term, start, end)
    compounds: list[str] = field(default_factory=list)
    stem: str = ""
    surface: str = ""  # the word as written, if it is no predicate; for queries

    @property
    def extras(self) -> list[str]:
        stem = self.stem
        if not self.compounds and len(stem) > 1:  # most words: what _extras gives, quicker
            return [] if any(term == stem for term, _, _ in self.parts) else [stem]
        return self._extras()

    def _extras(self) -> list[str]:
        part_terms = {term for term, _, _ in self.parts}
        extras = [term for term in self.compounds if term not in part_terms]
        stems = [self.stem]
        if len(self.stem) == 1 or (
            not self.stem and len(part_terms) == 1 and len(self.parts[0][0]) == 1
        ):
            # Kiwi left one syllable of a longer word (영도 → 영 + 도/JX): keep the word as written.
            stems.append(self.surface)
        extras += [s for s in stems if s and s not in part_terms and s not in extras]
        return extras


_KEPT = _NOUNS | _NUMBERS | {"SL"}
_NUMBER_TAGS = frozenset({"SN", "NR"})  # a counter right after one of these is kept


def _word_terms(word: Word, morphemes: list[tuple[str, str, int, int]]) -> None:
    """Fill `word`'s parts, compounds, stem and surface from its morphemes (the hot loop of indexing).

    Parts are nouns, Latin, numbers (with the counters written on them) and hanja as their Korean
    words; touching parts make a compound. A word with a predicate or hanja in it has no stem; else
    its stem is the word as written minus its final particles, if anything but adverbs is left.
    """
    parts = word.parts
    run: list[str] = []  # touching parts: a compound when two or more
    last_end, last_tag, last_kept = None, "", False  # the morpheme before this one
    predicate = hanja = content = False

    for form, tag, start, end in morphemes:
        touching = last_end == start
        if tag in _KEPT:
            term = _form_term(form)
        elif tag == "SH":
            hanja = True
            # Written right after a number or a Korean word ("3명中": 中 is 중, not 중국).
            after_word = touching and (last_tag == "SN" or last_tag[:1] != "S")
            term = _form_term(hanja_word(form, attached=after_word) or form)
        elif tag in _COUNTERS and touching and last_kept and last_tag in _NUMBER_TAGS:
            term = _form_term(form)
        else:
            term = ""
            if tag[0] in "VE" or tag in _PREDICATE_TAGS:
                predicate = True
        if not content and tag[0] != "J" and tag not in _NOT_A_STEM:
            content = True
        last_end, last_tag, last_kept = end, tag, bool(term)
        if not (term and touching):  # the run ends here
            if len(run) > 1:
                _add_compound(word, run)
            run = []
            if not term:
                continue
        run.append(term)
        parts.append((term, start, end))
    if len(run) > 1:
        _add_compound(word, run)

    if predicate or hanja or not content:
        return
    stem_end = word.end
    for _, tag, start, _ in reversed(morphemes):
        if tag[0] != "J":
            break
        stem_end = start
    surface = clean_term(word.text)
    word.stem = surface if stem_end == word.end else clean_term(word.text[: stem_end - word.start])
    if len(surface) > 1:
        word.surface = surface


# A long noun that Kiwi read whole in its sentence ("한성반도체가": 한성반도체/NNP) is also found by
# the nouns it is made of ("반도체"), as it is where Kiwi splits it ("한성반도체" alone: 한성 + 반도체).
# Its pieces: of Kiwi's best readings of the noun alone, the first made only of nouns, if it scores
# within PIECES_MARGIN of the best one; its nouns of two syllables or more. So 누리반도체 gives
# 누리 and 반도체 (1.3 below the best reading, the noun whole), 우주항공청 우주 and 항공 (1.9), but
# 대한민국 nothing (대한 + 민국 is 9.9 below) and 삼성전자 nothing (6.5).
_LONG_NOUN = re.compile("[가-힣]{4,}")
PIECES_MARGIN = 3.0


@functools.lru_cache(maxsize=_FORM_CACHE_SIZE)  # news repeats its names
def noun_pieces(term: str) -> tuple[str, ...]:
    """The nouns a long Korean noun is made of, as Kiwi reads it alone (none if it is one)."""
    if not _LONG_NOUN.fullmatch(term):
        return ()
    kiwi = _get_kiwi()
    with _use_lock:
        readings = kiwi.analyze(term, top_n=4)
    best = readings[0][1]
    for tokens, score in readings:
        if best - score > PIECES_MARGIN:
            break
        if len(tokens) > 1 and all(token.tag in _NOUNS for token in tokens):
            return tuple(token.form for token in tokens if len(token.form) > 1)
    return ()


def search_extras(word: Word) -> list[str]:
    """What a word gives to the index beside its parts: its extras (compounds, stem), and the
    pieces of its long nouns (`noun_pieces`)."""
    extras = word.extras  # a new list each time
    for term, _, _ in word.parts:
        for piece in noun_pieces(term) if len(term) > 3 else ():
            if piece not in extras and all(piece != part for part, _, _ in word.parts):
                extras.append(piece)
    return extras


def _add_compound(word: Word, run: list[str]) -> None:
    compound = "".join(run)[:MAX_TERM_CHARS]
    if compound not in word.compounds:
        word.compounds.append(compound)


def _word_spans(text: str):
    """(start, end) of each written word, without the dots and hyphens at its edges."""
    for match in _WORD.finditer(text):
        raw = match.group()
        start = match.start() + (len(raw) - len(raw.lstrip(".-")))
        end = match.end() - (len(raw) - len(raw.rstrip(".-")))
        if start < end:
            yield start, end


def analyze_words(text: str, *, limit: int = MAX_INDEX_CHARS) -> list[Word]:
    """The words of `text` (normalized, cut at `limit` characters) with their terms."""
    text = normalize(text)[:limit]
    return _words(text, _morphemes(text))


def _words(text: str, morphemes: list[tuple[str, str, int, int]]) -> list[Word]:
    """The words of `text` with their terms, from the morphemes Kiwi found in it."""
    if text.isalnum():  # one word, no punctuation (most of a body's chunks): what _spans_words
        word = Word(text, 0, len(text))  # gives, without the regex
        _word_terms(word, morphemes)
        return [word]
    return _spans_words(text, morphemes)


def _spans_words(text: str, morphemes: list[tuple[str, str, int, int]]) -> list[Word]:
    words = []
    index = 0
    for start, end in _word_spans(text):
        while index < len(morphemes) and morphemes[index][2] < start:
            index += 1
        inside = []
        while index < len(morphemes) and morphemes[index][2] < end:
            inside.append(morphemes[index])
            index += 1
        word = Word(text[start:end], start, end)
        _word_terms(word, inside)
        words.append(word)
    return words


# --- What posts and queries get -----------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A text's terms: `parts` in order (phrases match here), `extras` (compounds, stems)."""

    parts: list[str]
    extras: list[str]

    @property
    def terms(self) -> list[str]:
        return self.parts + self.extras


def analyze(text: str) -> Document:
    """The terms of a post's text (title or body)."""
    parts: list[str] = []
    extras: list[str] = []
    for word in analyze_words(text):
        parts.extend(term for term, _, _ in word.parts)
        extras.extend(search_extras(word))
    return Document(parts, extras)


# The body's written words (text between spaces, punctuation included), each analyzed alone once
# per process: (parts, extras) by word. News repeats its words, so most words of a new post are
# already here and Kiwi reads only the rest. Bounded: past WORD_CACHE_SIZE the older half goes.
WORD_CACHE_SIZE = 300_000
_word_cache: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _analyze_alone(chunks: list[str]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Analyze each of `chunks` on its own (one Kiwi call each) into the word cache; returns
    (parts, extras) by chunk, which another thread may evict from the cache meanwhile.

    In sorted order: words that share their first syllables then follow each other through Kiwi,
    which finds its dictionary and model data still in the CPU's caches: on the real articles of
    bench/indexing.py, 10–15% less Kiwi CPU per post than in text order (25% for all 27,500 words
    in one call). Each chunk is analyzed alone, so the order changes no term.

    One call per chunk, not Kiwi's batched form (`tokenize(list)`): that one hands each string to
    Kiwi's worker thread and waits for it, which cost 12% more CPU on the same 27,500 words (and
    gave the same morphemes).
    """
    chunks = sorted(chunks)
    kiwi = _get_kiwi()
    with _use_lock:
        analyses = [kiwi.tokenize(chunk) for chunk in chunks]
    if len(_word_cache) + len(chunks) > WORD_CACHE_SIZE:
        for old in list(_word_cache)[: len(_word_cache) // 2]:
            _word_cache.pop(old, None)  # another thread may be evicting it too
    computed = {}
    for chunk, tokens in zip(chunks, analyses, strict=True):
        morphemes = [(t.form, t.tag, t.start, t.start + t.len) for t in tokens]
        words = _words(chunk, morphemes)
        if len(words) == 1:
            word = words[0]
            computed[chunk] = (
                tuple([term for term, _, _ in word.parts]),
                tuple(search_extras(word)),
            )
            continue
        parts: list[str] = []
        extras: list[str] = []
        for word in words:
            parts.extend(term for term, _, _ in word.parts)
            extras.extend(search_extras(word))
        computed[chunk] = (tuple(parts), tuple(extras))
    _word_cache.update(computed)
    return computed


def analyze_body(text: str, *, limit: int = MAX_INDEX_CHARS) -> Document:
    """The terms of a long text, as `analyze` gives them but word by word, for indexing speed.

    Each run of text between spaces (an 어절, with its quotes and punctuation: "'웹툰'의" keeps
    its particle, "a@b.com" stays an address) is analyzed alone, not in its sentence, so its terms
    are the same wherever it stands and whatever was analyzed before: the cache changes the speed,
    never the terms. Kiwi reads a word alone about as fast as in a sentence; the gain is the
    cache, since most words of a news article were seen before (bench/search.py measures it).
    """
    chunks = normalize(text)[:limit].split()
    missing = [chunk for chunk in dict.fromkeys(chunks) if chunk not in _word_cache]
    computed = _analyze_alone(missing) if missing else {}
    parts: list[str] = []
    extras: list[str] = []
    for chunk in chunks:
        found = computed.get(chunk) or _word_cache.get(chunk)
        if found is None:  # evicted by another thread's batch just now
            found = _analyze_alone([chunk])[chunk]
        parts.extend(found[0])
        extras.extend(found[1])
    return Document(parts, extras)


def index_terms(text: str) -> list[str]:
    """Every term a text is found by: its parts in order, then compounds and stems."""
    return analyze(text).terms


@dataclass(frozen=True)
class QueryTerm:
    """One query word: it matches where any alternative does (a 1-tuple is a term, longer a phrase)."""

    text: str
    alternatives: tuple[tuple[str, ...], ...]
    quoted: bool = False  # typed in double quotes: marked as a phrase (search/highlight.py)

    @property
    def terms(self) -> set[str]:
        return {term for alternative in self.alternatives for term in alternative}


def query_terms(text: str, *, limit: int = MAX_QUERY_CHARS) -> list[QueryTerm]:
    """The words of a query, each with the ways a post may contain it; words with none are dropped."""
    result = []
    for word in analyze_words(text, limit=limit):
        if _PARTICLES.fullmatch(word.text):
            continue
        alternatives: list[tuple[str, ...]] = []
        parts = tuple(term for term, _, _ in word.parts)
        if parts:
            alternatives.append(parts)
        for candidate in [*word.compounds, word.stem, word.surface]:
            if candidate and (candidate,) not in alternatives:
                alternatives.append((candidate,))
        if alternatives:
            result.append(QueryTerm(word.text, tuple(alternatives)))
    return result


def phrase_terms(text: str) -> tuple[str, ...]:
    """The parts of a quoted phrase, in order."""
    return tuple(
        term for word in analyze_words(text, limit=MAX_QUERY_CHARS) for term, _, _ in word.parts
    )
