"""Full-text search over analyzed Korean terms: one small interface, two backends.

    index_post(post)       after a post is stored or changed (a hidden post leaves the index)
    remove_post(number)    when a post goes (deleting a Post also deletes its entry)
    search(query, page)    a `SearchResult` of visible posts, best first, with highlights
    reindex(progress)      re-analyze every post in short batches; the site keeps serving

Both backends index the same terms (`newsrank.search.analyzer`), so they find the same posts: SQLite
through the FTS5 table `search_fts`, ranked by `bm25` here, PostgreSQL through a weighted `tsvector`
with a GIN index, ranked by ts_rank_cd(). Title terms weigh more than body terms, and a recency boost
lifts fresh news: score × (1 + 0.5 / (1 + age in days / 3)).

To stay fast on a year of news, relevance ranks the newest `CANDIDATES` matching posts (an older
post can still be found with more words or a date range) and `total` is counted up to that bound.
Nothing in a search reads every match of a common term: FTS5 walks its index newest first and
stops, PostgreSQL asks GIN for the newest blocks of posts first (`PostgresBackend`), an outlet
filter is a term of the index (`Backend.outlet_tag`), and no backend computes a collection-wide
statistic per query (FTS5's bm25() does: its IDF reads every row that holds each term, which grows
with the table; see `bm25`).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Min

from newsrank.board.models import Post
from newsrank.search import highlight as marks
from newsrank.search.analyzer import ANALYZER_VERSION, QueryTerm, analyze, analyze_body
from newsrank.search.models import SearchEntry
from newsrank.search.query import Query, parse_query
from newsrank.sources.models import Outlet

CANDIDATES = 1_000  # relevance ranks at most this many of the newest matches (see module doc)
MAX_COUNT = 1_000  # date order counts its matches up to here
TAGGED_SINCE = 4  # the ANALYZER_VERSION from which entries hold their outlet's tag (`outlet_tag`)
PAIRED_SINCE = 5  # ... and, on PostgreSQL, their pairs of adjacent terms (`PostgresBackend.pairs`)
OUTLET_BLOCKS_SINCE = 6  # ... and their outlet's own blocks (`PostgresBackend.block_lexeme`)
MAX_PAGES = 50  # deeper pages are refused: no query scans further than this
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0  # bm25() column weights
# ts_rank_cd() sums every cover in the text, so a long body outweighs a title unless its weight is
# low; 0.2 ranks title matches first on the judged queries (tests/search/test_relevance.py).
PG_BODY_WEIGHT = 0.2
RECENCY_BOOST, RECENCY_DAYS = 0.5, 3.0
UNIX_EPOCH_JULIAN_DAY = 2440587.5  # SQLite's julianday('1970-01-01')

# The fields of a result's post: the page's row and the API's post_summary, and the body for
# the snippet (newsrank/api/views.py reads section, url and story_id).
RESULT_FIELDS = (
    "number", "title", "outlet", "section", "url", "story", "published_at", "created_at",
    "body_text",
)  # fmt: skip

MESSAGE_NO_RESULTS = "검색 결과가 없습니다."
MESSAGE_NO_OUTLET = "‘{name}’ 언론사를 찾을 수 없습니다."
MESSAGE_TOO_DEEP = f"검색 결과는 {MAX_PAGES}쪽까지 볼 수 있습니다. 검색어를 더 넣어 좁혀 보세요."
MESSAGE_PAST_END = "검색 결과는 {pages}쪽까지 있습니다."


@dataclass(frozen=True)
class Highlight:
    title: str  # HTML: escaped, with <mark> around matching words
    snippet: str  # HTML: a piece of the body around the matches


@dataclass
class SearchResult:
    query: Query
    posts: list[Post] = field(default_factory=list)
    total: int = 0  # matching visible posts, counted up to a bound (see `total_is_exact`)
    total_is_exact: bool = True
    page: int = 1
    page_size: int = 20
    highlights: dict[int, Highlight] = field(default_factory=dict)  # by post number
    messages: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return " ".join(self.messages)

    @property
    def pages(self) -> int:
        return min(MAX_PAGES, max(1, math.ceil(self.total / self.page_size)))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Filters:
    outlet_id: int | None
    date_from: datetime | None
    date_to: datetime | None
    # The first post stored since date_from: a post stored before cannot have been published
    # after (a feed's future date aside), so the index is searched from this number on.
    first_number: int | None = None


class Backend:
    """What differs between databases: how terms are stored and how a query is matched."""

    vendor = ""

    def write(self, cursor, number: int, outlet_id: int, fields: dict[str, str]) -> None:
        """Store a post's entry: its analyzed fields, and its outlet's tag (`outlet_tag`)."""
        raise NotImplementedError

    # Each entry also holds its outlet's tag ("-o12": an analyzed term never starts with "-"),
    # so that the full-text index applies an outlet filter itself instead of walking the matches
    # of every outlet (one post in 60 is the outlet's). Entries written before ANALYZER_VERSION 4
    # have none: until `reindex_stale` has rewritten them, the filter is applied by post
    # (`oldest_entry`).
    @staticmethod
    def outlet_tag(outlet_id: int) -> str:
        return f"-o{outlet_id}"

    @staticmethod
    def oldest_entry() -> int:
        """The ANALYZER_VERSION of the oldest entries (the current one if there are none): every
        entry holds what that version added (TAGGED_SINCE, PAIRED_SINCE). One step of the index
        `search_entry_analyzer`."""
        oldest = SearchEntry.objects.aggregate(oldest=Min("analyzer"))["oldest"]
        return ANALYZER_VERSION if oldest is None else oldest

    def numbers(
        self, query: Query, filters: Filters, offset: int, limit: int, now: datetime
    ) -> tuple[list[int], int, bool]:
        """(post numbers of the page, total, total_is_exact)."""
        raise NotImplementedError

    @staticmethod
    def _newest_first(cursor, number: str, base: str, params: list, offset: int, limit: int):
        """A page of matches by post number, newest first, and the bounded count of all of them."""
        cursor.execute(
            f"SELECT {number} {base} ORDER BY {number} DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        numbers = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) AS hits", [*params, MAX_COUNT + 1]
        )
        total = cursor.fetchone()[0]
        return numbers, min(total, MAX_COUNT), total <= MAX_COUNT


class SQLiteBackend(Backend):
    """FTS5 over `search_entry` (external content) finds the matches, `bm25` ranks them."""

    vendor = "sqlite"

    def write(self, cursor, number, outlet_id, fields):
        fields = fields | {"body_extra": self.tagged_text(fields["body_extra"], outlet_id)}
        cursor.execute(
            "INSERT INTO search_entry (post_id, title, title_extra, body, body_extra, analyzer) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (post_id) DO UPDATE SET "
            "title = excluded.title, title_extra = excluded.title_extra, body = excluded.body, "
            "body_extra = excluded.body_extra, analyzer = excluded.analyzer",
            [number, *fields.values(), ANALYZER_VERSION],
        )

    @classmethod
    def tagged_text(cls, body_extra: str, outlet_id: int) -> str:
        """The body's extras as stored: the outlet's tag last (FTS5 indexes this column)."""
        return f"{body_extra} {cls.outlet_tag(outlet_id)}".lstrip()

    def match(self, query: Query, outlet_id: int | None = None) -> str:
        """The FTS5 query: every required word, none of the excluded ones, and the outlet's tag."""
        words = " AND ".join(self._word(word, query.title_only) for word in query.required)
        if query.excluded:
            unwanted = " OR ".join(self._word(word, query.title_only) for word in query.excluded)
            words = f"({words}) NOT ({unwanted})"
        if outlet_id is not None:
            words = f'({words}) AND "{self.outlet_tag(outlet_id)}"'
        return words

    @staticmethod
    def _word(word: QueryTerm, title_only: bool) -> str:
        alternatives = []
        for terms in word.alternatives:
            phrase = '"' + " ".join(term.replace('"', '""') for term in terms) + '"'
            if len(terms) > 1:  # adjacency holds in the parts columns only
                columns = "{title}" if title_only else "{title body}"
            else:
                columns = "{title title_extra}" if title_only else ""
            alternatives.append(f"{columns} : {phrase}" if columns else phrase)
        return "(" + " OR ".join(alternatives) + ")"

    @staticmethod
    def _filter_sql(filters: Filters, tagged: bool) -> tuple[str, list]:
        # Written as `NOT p.hidden`, not `p.hidden = %s`, so that SQLite may use the partial
        # index of listed posts.
        sql = ["NOT p.hidden", "NOT o.blocked"]
        params: list = []
        if filters.first_number is not None:
            sql.append("f.rowid >= %s")  # FTS5 starts its walk there
            params.append(filters.first_number)
        if filters.outlet_id is not None and tagged:
            sql.append("p.outlet_id = %s")  # as the tag in the index says
            params.append(filters.outlet_id)
        elif filters.outlet_id is not None:
            # Entries without tags: the outlet's numbers from the index of its listed posts, so
            # that the rows of other outlets' matches are never read ("+f.rowid": a membership
            # test while FTS5 walks newest first, not one FTS5 lookup per number of the outlet).
            sql.append(
                "p.outlet_id = %s AND +f.rowid IN (SELECT number FROM board_post"
                " WHERE outlet_id = %s AND NOT hidden AND number >= %s)"
            )
            params += [filters.outlet_id, filters.outlet_id, filters.first_number or 0]
        if filters.date_from:
            sql.append("p.published_at >= %s")
            params.append(connection.ops.adapt_datetimefield_value(filters.date_from))
        if filters.date_to:
            sql.append("p.published_at < %s")
            params.append(connection.ops.adapt_datetimefield_value(filters.date_to))
        return " AND ".join(sql), params

    def numbers(self, query, filters, offset, limit, now):
        tagged = filters.outlet_id is not None and self.oldest_entry() >= TAGGED_SINCE
        where, params = self._filter_sql(filters, tagged)
        match = self.match(query, filters.outlet_id if tagged else None)
        tables = (  # the post's columns from post_search (board migration 0006), not its row
            "FROM search_fts f JOIN board_post p INDEXED BY post_search ON p.number = f.rowid "
            "JOIN sources_outlet o ON o.id = p.outlet_id"
        )
        matching = f"WHERE search_fts MATCH %s AND {where}"
        with connection.cursor() as cursor:
            if query.sort == "date":
                base = f"{tables} {matching}"
                return self._newest_first(cursor, "f.rowid", base, [match, *params], offset, limit)
            # Each candidate with its date as a Julian day number (SQLite converts it in C, for
            # 1,000 candidates) and its entry's fields, read by rowid as FTS5 walks (search
            # migration 0014): as UTF-8 bytes (no decoding), title and body each with their
            # extras, spaces around every term, which is what `bm25` counts in.
            cursor.execute(
                "SELECT f.rowid, julianday(coalesce(p.published_at, p.created_at)),"
                " CAST(' ' || e.title || ' | ' || e.title_extra || ' ' AS BLOB),"
                " CAST(' ' || e.body || ' | ' || e.body_extra || ' ' AS BLOB)"
                f" {tables} JOIN search_entry e ON e.post_id = f.rowid {matching}"
                " ORDER BY f.rowid DESC LIMIT %s",
                [match, *params, CANDIDATES],
            )
            candidates = cursor.fetchall()
        relevance = bm25(query, {number: (title, body) for number, _, title, body in candidates})
        now_days = now.timestamp() / 86400.0 + UNIX_EPOCH_JULIAN_DAY
        scored = []
        for number, day, *_ in candidates:  # 1,000 a search: no max() call, a comparison
            age = now_days - day if day is not None and day < now_days else 0.0
            boost = 1.0 + RECENCY_BOOST / (1.0 + age / RECENCY_DAYS)
            scored.append((relevance.get(number, 0.0) * boost, number))
        scored.sort(reverse=True)
        numbers = [number for _, number in scored[offset : offset + limit]]
        return numbers, len(candidates), len(candidates) < CANDIDATES


BM25_K1, BM25_B = 1.2, 0.75  # FTS5's bm25() constants


def bm25(query: Query, entries: dict[int, tuple[bytes, bytes]]) -> dict[int, float]:
    """Okapi BM25 of each entry against the query; an entry is its title and body, each with
    its extras after a " | ", as UTF-8 bytes with a space around every term.

    FTS5's bm25() computes each phrase's IDF by reading every row that holds it, which at a
    million posts costs more than all the rest of a search; here every phrase weighs the same
    (IDF 1, as in PostgreSQL's ts_rank_cd()) and the average length is the candidates'. A
    length is counted in bytes, not terms: in proportion for Korean terms, and free, where
    counting the spaces of 1,000 bodies took 2 ms a search (the judged queries rank the same).
    As in FTS5, each alternative of a word is a phrase, and its frequency is summed over the
    title (TITLE_WEIGHT) and the body (BODY_WEIGHT). A term repeated back to back counts once.
    """
    patterns = [  # b" term " per phrase
        (" " + " ".join(terms) + " ").encode()
        for word in query.required
        for terms in word.alternatives
    ]
    body_weight = 0.0 if query.title_only else BODY_WEIGHT
    lengths = {number: len(title) + len(body) for number, (title, body) in entries.items()}
    average = sum(lengths.values()) / max(1, len(lengths)) or 1.0
    scores = {}
    for number, (title, body) in entries.items():  # the hot loop: 1,000 entries a search
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[number] / average)
        score = 0.0
        for pattern in patterns:
            frequency = TITLE_WEIGHT * title.count(pattern)
            if body_weight:
                frequency += body_weight * body.count(pattern)
            if frequency:
                score += frequency * (BM25_K1 + 1) / (frequency + norm)
        scores[number] = score
    return scores


class PostgresBackend(Backend):
    """A weighted tsvector with a GIN index, ranked by ts_rank_cd().

    The tsvector is written as a literal with our own positions and weights, so no text search
    parser touches the analyzed terms: A title parts, B title compounds/stems, C body parts,
    D body compounds/stems. A phrase matches A/C lexemes only, where positions are adjacent.
    """

    vendor = "postgresql"
    MAX_POSITION = 16383  # PostgreSQL's limit for a lexeme position
    MAX_POSITIONS = 255  # positions kept per lexeme (PostgreSQL keeps at most 256)

    def write(self, cursor, number, outlet_id, fields):
        cursor.execute(
            "INSERT INTO search_entry "
            "(post_id, title, title_extra, body, body_extra, analyzer, document) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector) ON CONFLICT (post_id) DO UPDATE SET "
            "title = excluded.title, title_extra = excluded.title_extra, body = excluded.body, "
            "body_extra = excluded.body_extra, analyzer = excluded.analyzer, "
            "document = excluded.document",
            [number, *fields.values(), ANALYZER_VERSION, self.tsvector(fields, number, outlet_id)],
        )

    @classmethod
    def tsvector(
        cls, fields: dict[str, str], number: int | None = None, outlet_id: int | None = None
    ) -> str:
        """The document: the fields' terms with positions and weights, the pairs of adjacent
        parts, the post's block and its outlet's tag."""
        positions: dict[str, list[str]] = {}
        position = 0
        for name, weight in (
            ("title", "A"),
            ("title_extra", "B"),
            ("body", "C"),
            ("body_extra", "D"),
        ):
            position += 1  # a gap: no phrase runs from one stream into the next
            for term in fields[name].split():
                position = min(position + 1, cls.MAX_POSITION)
                kept = positions.setdefault(term, [])
                if len(kept) < cls.MAX_POSITIONS:
                    kept.append(f"{position}{weight}")
        lexemes = [f"{_pg_quote(term)}:{','.join(kept)}" for term, kept in positions.items()]
        lexemes.extend(cls.pair_lexemes(fields["title"], fields["body"]))
        lexemes.extend(cls.filter_lexemes(number, outlet_id))
        return " ".join(lexemes)

    # A phrase of common words ("조 지원") holds in few of the many posts that have both: GIN finds
    # the posts with both, and each one's document is read to check the positions (5 µs each;
    # 100,000 of them for a rare phrase at a million posts). So a document also holds each pair of
    # adjacent parts of its title and of its body as one lexeme without a position ("조 지원": no
    # term has a space), and a phrase asks GIN for its pairs (`_word`): a two-word phrase is then
    # found without reading any document, a longer one reads only those that have all its pairs.
    @staticmethod
    def pairs(terms: list[str]) -> list[str]:
        """Each pair of adjacent terms as one lexeme, unquoted ("조 지원")."""
        return [f"{first} {second}" for first, second in itertools.pairwise(terms)]

    @classmethod
    def pair_lexemes(cls, *streams: str) -> list[str]:
        """The quoted pair lexemes of streams of terms (the title's parts, the body's)."""
        pairs = dict.fromkeys(pair for stream in streams for pair in cls.pairs(stream.split()))
        return [_pg_quote(pair) for pair in pairs]

    @classmethod
    def filter_lexemes(cls, number: int | None, outlet_id: int | None) -> list[str]:
        """The quoted lexemes without a position: the post's blocks, its outlet's tag, and the
        post's blocks as its outlet's."""
        lexemes = []
        if number is not None:
            block = number // cls.BLOCK
            lexemes.append(_pg_quote(cls.block_lexeme(block)))
            lexemes.append(_pg_quote(cls.wide_block_lexeme(block // cls.WIDE)))
        if outlet_id is not None:
            lexemes.append(_pg_quote(cls.outlet_tag(outlet_id)))
        if number is not None and outlet_id is not None:
            lexemes.extend(cls.outlet_block_lexemes(number, outlet_id))
        return lexemes

    @classmethod
    def outlet_block_lexemes(cls, number: int, outlet_id: int) -> list[str]:
        """The quoted lexemes of the post's block and wide block as its outlet's."""
        block = number // cls.BLOCK
        return [
            _pg_quote(cls.block_lexeme(block, outlet_id)),
            _pg_quote(cls.wide_block_lexeme(block // cls.WIDE, outlet_id)),
        ]

    # Each document also holds the lexeme of its block of BLOCK post numbers ("~b12": no analyzed
    # term has a "~"), so that a query can ask GIN for the matches among the newest posts alone,
    # and that of its wide block of WIDE blocks ("~w1"): GIN ORs a few lexemes quickly and many
    # slowly (a common term in 20 blocks: 26–43 ms as 20 lexemes, 1 ms as 2), so a window of many
    # blocks asks for wide ones (`_window_lexemes`). Entries from ANALYZER_VERSION 4 have them.
    # From version 6 (OUTLET_BLOCKS_SINCE) a document also holds both as its outlet's ("-o12~b99",
    # "-o12~w9"), and a window of an outlet filter asks for the outlet's blocks instead of the
    # blocks and the tag: GIN then intersects the terms with one short list, not with two long
    # ones (a common term, an outlet's tag and a wide block at 1,000,000 posts: 8.5 ms in GIN; the
    # term and the outlet's wide block: 1.4 ms).
    BLOCK = 10_000
    WIDE = 10

    @classmethod
    def block_lexeme(cls, block: int, outlet_id: int | None = None) -> str:
        return f"{cls._scope(outlet_id)}~b{block}"

    @classmethod
    def wide_block_lexeme(cls, wide: int, outlet_id: int | None = None) -> str:
        return f"{cls._scope(outlet_id)}~w{wide}"

    @classmethod
    def _scope(cls, outlet_id: int | None) -> str:
        return "" if outlet_id is None else cls.outlet_tag(outlet_id)

    @classmethod
    def _window_lexemes(
        cls, start: int, top: int, newest: int, wide: bool, outlet_id: int | None = None
    ) -> list[str]:
        """Quoted lexemes of blocks `start` to `top` (the outlet's blocks if `outlet_id`), each
        whole wide block as one if `wide` (when every entry has them). A wide block may reach
        above `top` by up to FIRST_WINDOW blocks (their posts are read again and dropped) and
        past the `newest` post's block (where there is nothing)."""
        lexemes, block = [], start
        while block <= top:
            end = min(block + cls.WIDE - 1, newest // cls.BLOCK)
            if wide and block % cls.WIDE == 0 and end <= top + cls.FIRST_WINDOW:
                lexemes.append(_pg_quote(cls.wide_block_lexeme(block // cls.WIDE, outlet_id)))
                block += cls.WIDE
            else:
                lexemes.append(_pg_quote(cls.block_lexeme(block, outlet_id)))
                block += 1
        return lexemes

    def tsquery(self, query: Query, outlet_id: int | None = None, paired: bool = False) -> str:
        """The query as a tsquery: with the outlet's tag if `outlet_id`, its phrases by their pair
        lexemes if `paired` (every entry has them)."""
        words = " & ".join(self._word(word, query.title_only, paired) for word in query.required)
        if query.excluded:
            unwanted = " | ".join(
                self._word(word, query.title_only, paired) for word in query.excluded
            )
            words = f"({words}) & !({unwanted})"
        if outlet_id is not None:
            words = f"({words}) & {_pg_quote(self.outlet_tag(outlet_id))}"
        return words

    @classmethod
    def _word(cls, word: QueryTerm, title_only: bool, paired: bool = False) -> str:
        alternatives = []
        for terms in word.alternatives:
            if len(terms) > 1 and paired and not title_only:  # a pair lexeme carries no weight
                pairs = [_pg_quote(pair) for pair in cls.pairs(terms)]
                if len(terms) > 2:  # the pairs, then their order: "a b" and "b c" but not "a b c"
                    pairs.append("(" + " <-> ".join(f"{_pg_quote(t)}:AC" for t in terms) + ")")
                alternatives.append("(" + " & ".join(pairs) + ")")
            elif len(terms) > 1:
                weights = "A" if title_only else "AC"
                joined = " <-> ".join(f"{_pg_quote(term)}:{weights}" for term in terms)
                alternatives.append(f"({joined})")
            else:
                alternatives.append(_pg_quote(terms[0]) + (":AB" if title_only else ""))
        return "(" + " | ".join(alternatives) + ")"

    # The windows of post numbers searched in turn, newest first, each below the one before: the
    # first holds FIRST_WINDOW blocks, each next one as many as the rate of matches so far says
    # the candidates still need, with MARGIN to spare (GROWTH times the blocks so far if nothing
    # matched yet), and the last everything down to the first post the filters allow. A window
    # too narrow costs one more query, one too wide the matches it did not need: GIN finds all of
    # a window's matches and each one's heap row is read (3 µs), however few are kept. MARGIN 1.5
    # read 1.8 times the rows an outlet's search kept; 1.2 took 1–3 ms (p50) off the outlet
    # filter and 3 terms at 1,000,000 posts, 0.8–1.0 no more than that. See `_newest_visible`.
    FIRST_WINDOW = 2
    MARGIN = 1.2
    GROWTH = 4

    def numbers(self, query, filters, offset, limit, now):
        ranked = query.sort != "date"
        bound = CANDIDATES if ranked else MAX_COUNT + 1
        # What every entry holds is asked only when it matters (a phrase, an outlet, a wide
        # window): most searches end in the first window or two without it.
        oldest = functools.cache(self.oldest_entry)
        phrases = not query.title_only and any(
            len(terms) > 1
            for word in query.required + query.excluded
            for terms in word.alternatives
        )
        paired = phrases and oldest() >= PAIRED_SINCE
        outlet_id = None
        if filters.outlet_id is not None and oldest() >= TAGGED_SINCE:  # the index filters
            outlet_id, filters = filters.outlet_id, replace(filters, outlet_id=None)
        # By the outlet's own blocks where every entry has them, else by its tag in the query.
        scoped = outlet_id is not None and oldest() >= OUTLET_BLOCKS_SINCE
        tsquery = self.tsquery(query, None if scoped else outlet_id, paired)
        # Ranked by the words' positions: a tag or a pair has none to rank by.
        rank = self.tsquery(query) if ranked else None
        with connection.cursor() as cursor:
            best, total = self._newest_visible(
                cursor, tsquery, rank, filters, bound, offset + limit, now,
                lambda: oldest() >= TAGGED_SINCE, outlet_id if scoped else None,
            )  # fmt: skip
        page = [number for _, number in best[offset : offset + limit]]
        if ranked:
            return page, total, total < CANDIDATES
        return page, min(total, MAX_COUNT), total <= MAX_COUNT

    # ts_rank_cd()'s weights, in its order D, C, B, A
    RANK_WEIGHTS = [PG_BODY_WEIGHT, PG_BODY_WEIGHT, 1.0, 1.0]

    def _newest_visible(
        self, cursor, tsquery, rank, filters, bound, top, now, wide, outlet_id=None
    ) -> tuple[list[tuple[float, int]], int]:
        """(the `top` best of the newest `bound` visible matches of `tsquery`, as (score,
        number), best first; how many visible matches there are, up to `bound`). A score is
        ts_rank_cd() against `rank` with the recency boost; without `rank` it is 0, and the
        newest come first.

        GIN alone finds the matches (it reads no document for a query of plain terms and pairs),
        window by window (`_next_window`), each window's through `search_window` (migrations
        0008, 0012): its matches, each checked against its post (visible, outlet, dates), scored,
        its best returned. Without an outlet filter or an end date nearly every match is
        visible, so only as many of a window's newest matches as are still needed are looked
        up, and the rest of the window only if some of those were hidden. With `outlet_id`, the
        windows are the outlet's blocks (`_next_window`).
        """
        cursor.execute("SELECT max(post_id) FROM search_entry")
        newest = cursor.fetchone()[0]
        floor = filters.first_number or 0
        plain = filters.outlet_id is None and filters.date_to is None
        best: list[tuple[float, int]] = []
        found = 0
        high = 0 if newest is None else newest + 1  # the windows so far: from `high` on
        lexemes = None  # the block lexemes of the window being read
        while high > floor and found < bound:
            if lexemes is None:
                low, lexemes = self._next_window(high, newest, floor, found, bound, wide, outlet_id)
            within = f"({tsquery}) & ({' | '.join(lexemes)})" if lexemes else tsquery
            wanted = bound - found if plain else None
            cursor.execute(
                "SELECT post_id, score, lowest, matched, visible FROM search_window(%s::tsquery,"
                " %s, %s, %s, %s, %s, %s, %s::tsquery, %s::real[], %s, %s, %s, %s, %s)",
                [
                    within, low, high, wanted, filters.outlet_id, filters.date_from,
                    filters.date_to, rank, self.RANK_WEIGHTS, bound - found, top,
                    now.timestamp(), RECENCY_BOOST, RECENCY_DAYS,
                ],
            )  # fmt: skip
            rows = cursor.fetchall()
            lowest, matched, visible = next(row[2:] for row in rows if row[0] is None)
            found += visible
            best.extend((score, number) for number, score, *_ in rows if number is not None)
            if wanted is not None and matched == wanted:  # the window may hold more below
                high = lowest
            else:
                high, lexemes = low, None
        best.sort(reverse=True)
        return best[:top], found

    def _next_window(
        self, high: int, newest: int, floor: int, found: int, bound: int, wide, outlet_id=None
    ) -> tuple[int, list[str]]:
        """(its lowest post number, its block lexemes) of the window below `high`, the windows
        above it (down from the `newest` post) having found `found` of `bound` visible matches;
        none below `floor`. Its blocks (BLOCK numbers each; the outlet's, if `outlet_id`) are
        whole wide ones when it is wide enough and `wide()` (every entry holds them). No lexemes:
        from `floor` to the top (the outlet's tag alone, if `outlet_id`)."""
        top = (high - 1) // self.BLOCK
        spanned = newest + 1 - high
        if not spanned:
            blocks = self.FIRST_WINDOW
        elif found:
            blocks = math.ceil((bound - found) * spanned / found * self.MARGIN / self.BLOCK)
        else:
            blocks = self.GROWTH * math.ceil(spanned / self.BLOCK)
        start = top - blocks + 1
        with_wide = blocks >= self.WIDE // 2 and wide()
        if with_wide:
            start -= start % self.WIDE
        if start > floor // self.BLOCK:
            return start * self.BLOCK, self._window_lexemes(
                start, top, newest, with_wide, outlet_id
            )
        start = floor // self.BLOCK
        if start == 0:  # the whole index below `high`: GIN needs no blocks
            return floor, [] if outlet_id is None else [_pg_quote(self.outlet_tag(outlet_id))]
        return floor, self._window_lexemes(start, top, newest, wide(), outlet_id)


def _pg_quote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


_BACKENDS = {backend.vendor: backend for backend in (SQLiteBackend(), PostgresBackend())}


def get_backend() -> Backend:
    """The backend for the default database."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise RuntimeError(
            f"search supports SQLite and PostgreSQL, not {connection.vendor}"
        ) from None


# --- The interface ------------------------------------------------------------------------------


def entry_fields(post: Post) -> dict[str, str]:
    """The analyzed terms of a post, as stored in its entry.

    The title is analyzed in its sentence (it is what story grouping and most matches rest on),
    the subtitles and body word by word, which is what lets indexing keep up (`analyze_body`).
    """
    title = analyze(post.title)
    body = analyze_body("\n".join([*(post.subtitles or []), post.body_text]))
    return {
        "title": " ".join(title.parts),
        "title_extra": " ".join(title.extras),
        "body": " ".join(body.parts),
        "body_extra": " ".join(body.extras),
    }


def index_post(post: Post) -> None:
    """Make a stored or changed post searchable as it is now (a hidden one leaves the index)."""
    _index_batch([post])


INDEXED_FIELDS = (
    "number", "outlet", "title", "subtitles", "body_text", "hidden", "content_hash",
)  # fmt: skip


def index_pending(limit: int = 100) -> int:
    """Index up to `limit` posts stored, changed or hidden since they were last indexed.

    The crawler calls this after each round. A post's flag is cleared only if the post did not
    change while it was being analyzed; otherwise it stays pending for the next call.
    """
    posts = list(
        Post.objects.filter(search_pending=True).order_by("-number").only(*INDEXED_FIELDS)[:limit]
    )
    _index_batch(posts, clear_pending=True)
    return len(posts)


def reindex_stale(limit: int = 100) -> int:
    """Re-index up to `limit` posts whose entries an older analyzer wrote, newest first; returns
    how many.

    After an upgrade that changed the terms (ANALYZER_VERSION), the crawler calls this once a
    round, so that the index comes up to date in the background while crawling goes on; until
    then the older entries are found by the terms they have. `reindex` does all at once.
    """
    stale = list(
        SearchEntry.objects.filter(analyzer__lt=ANALYZER_VERSION)
        .order_by("-analyzer", "-post_id")
        .values_list("post_id", flat=True)[:limit]
    )
    if not stale:  # the index is current: one query a round
        return 0
    posts = list(Post.objects.filter(number__in=stale).only(*INDEXED_FIELDS))
    _index_batch(posts)
    return len(posts)


def _index_batch(posts: list[Post], *, clear_pending: bool = False) -> None:
    """Analyze `posts`, then write their entries (a hidden post's removed) in one transaction,
    with, if `clear_pending`, their pending flags cleared (a post's only if it did not change
    while it was analyzed).

    One transaction, because on SQLite FTS5 flushes its pending terms as a new segment at each
    commit (https://sqlite.org/fts5.html#the_automerge_option): a commit per post wrote a one-post
    segment and merged it soon after. The analysis (the slow part) holds no transaction.
    """
    prepared = [(post, None if post.hidden else entry_fields(post)) for post in posts]
    backend = get_backend()
    with transaction.atomic(), connection.cursor() as cursor:
        for post, fields in prepared:
            if fields is None:
                cursor.execute("DELETE FROM search_entry WHERE post_id = %s", [post.number])
            else:
                backend.write(cursor, post.number, post.outlet_id, fields)
        if clear_pending:
            cursor.executemany(
                f"UPDATE {Post._meta.db_table} SET search_pending = %s "
                "WHERE number = %s AND title = %s AND hidden = %s AND content_hash = %s",
                [(False, p.number, p.title, p.hidden, p.content_hash) for p in posts],
            )


def remove_post(number: int) -> None:
    """Take a post out of the index (it may not be in it)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry WHERE post_id = %s", [number])


def reindex(progress: Callable[[int, int], None] | None = None, batch_size: int = 200) -> int:
    """Re-analyze and re-index every post, `batch_size` per transaction; returns posts indexed.

    Safe while the site serves: each batch replaces its entries in one short transaction, so a
    reader sees a post either as before or as after. `progress(done, total)` follows each batch.
    """
    total = Post.objects.count()
    done = indexed = 0
    last = 0
    while True:
        batch = list(
            Post.objects.filter(number__gt=last)
            .order_by("number")
            .only(*INDEXED_FIELDS)[:batch_size]
        )
        if not batch:
            break
        _index_batch(batch)
        indexed += sum(not post.hidden for post in batch)
        last = batch[-1].number
        done += len(batch)
        if progress:
            progress(done, max(total, done))
    return indexed


def _first_stored_since(moment: datetime) -> int:
    """The lowest post number stored at or after `moment` (past the newest if none is).

    `Post.objects.first_stored_since`'s binary search over the primary key (created_at has no
    index), run inside the database: one query instead of some 25.
    """
    middle = (
        "(SELECT {column} FROM board_post WHERE number >= (low + high) / 2 ORDER BY number LIMIT 1)"
    )
    after = f"{middle.format(column='created_at')} >= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE halves (low, high) AS ("
            " SELECT (SELECT min(number) FROM board_post), (SELECT max(number) FROM board_post) + 1"
            f" UNION ALL SELECT CASE WHEN {after} THEN low"
            f" ELSE {middle.format(column='number')} + 1 END,"
            f" CASE WHEN {after} THEN (low + high) / 2 ELSE high END"
            " FROM halves WHERE low < high)"
            " SELECT max(low) FROM halves",
            [connection.ops.adapt_datetimefield_value(moment)] * 2,
        )
        return cursor.fetchone()[0] or 0


def search(
    query: Query | str, page: int = 1, page_size: int = 20, now: datetime | None = None
) -> SearchResult:
    """One page of the visible posts that match, best first (or newest first), highlighted."""
    if not isinstance(query, Query):
        query = parse_query(query)
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), 100))
    result = SearchResult(query, page=page, page_size=page_size, messages=list(query.messages))
    if query.empty:
        return result
    outlet_id = None
    if query.outlet:
        outlet_id = (
            Outlet.objects.filter(name__iexact=query.outlet).values_list("pk", flat=True).first()
        )
        if outlet_id is None:
            result.messages.append(MESSAGE_NO_OUTLET.format(name=query.outlet))
            return result
    first_number = _first_stored_since(query.date_from) if query.date_from else None
    filters = Filters(outlet_id, query.date_from, query.date_to, first_number)
    deep = page > MAX_PAGES  # refused, but counted: the message comes with the total
    numbers, result.total, result.total_is_exact = get_backend().numbers(
        query, filters, 0 if deep else (page - 1) * page_size, 0 if deep else page_size,
        now or datetime.now(UTC),
    )  # fmt: skip
    if deep and (result.total > MAX_PAGES * page_size or not result.total_is_exact):
        result.messages.append(MESSAGE_TOO_DEEP)
        return result
    # What the rows and the API show, and the body for the snippet: not the stored HTML.
    found = (
        Post.objects.select_related("outlet").only(*RESULT_FIELDS, "outlet__name").in_bulk(numbers)
    )
    result.posts = [found[number] for number in numbers if number in found]
    terms, phrases = query.highlight_terms, query.highlight_phrases
    result.highlights = {
        post.number: Highlight(
            marks.highlight(post.title, terms, phrases=phrases),
            marks.snippet(post.body_text, terms, phrases=phrases),
        )
        for post in result.posts
    }
    if not result.total:
        result.messages.append(MESSAGE_NO_RESULTS)
    elif page > result.pages:
        result.messages.append(MESSAGE_PAST_END.format(pages=result.pages))
    return result
