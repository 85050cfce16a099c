"""The search box's syntax: words, "phrases", -exclusions, outlet:, and the form's parameters."""

from datetime import date, datetime

import pytest

from newsrank.search.query import (
    KST,
    MAX_EXCLUDED,
    MAX_TERMS,
    MESSAGE_BAD_DATE,
    MESSAGE_NO_INPUT,
    MESSAGE_NO_OR,
    MESSAGE_NO_OUTLET_EXCLUSION,
    MESSAGE_NOTHING_TO_SEARCH,
    MESSAGE_ONE_OUTLET,
    MESSAGE_ONLY_EXCLUDED,
    MESSAGE_ONLY_OUTLET,
    MESSAGE_TOO_LONG,
    MESSAGE_TOO_MANY,
    MESSAGE_TOO_MANY_EXCLUDED,
    parse_query,
)


def shape(text, **params):
    """(required, excluded, outlet) with each word as its first alternative, for compact tables."""
    query = parse_query(text, **params)
    return (
        [word.alternatives[0] for word in query.required],
        [word.alternatives[0] for word in query.excluded],
        query.outlet,
    )


@pytest.mark.parametrize(
    ("text", "required", "excluded", "outlet"),
    [
        ("인텔", [("인텔",)], [], ""),
        ("인텔과 삼성", [("인텔",), ("삼성",)], [], ""),
        ("  의대   증원  ", [("의대",), ("증원",)], [], ""),
        ('"반도체 수출 지원"', [("반도체", "수출", "지원")], [], ""),
        ("“반도체 수출”", [("반도체", "수출")], [], ""),  # typographic quotes
        ('"반도체 수출', [("반도체", "수출")], [], ""),  # an unclosed quote runs to the end
        ('"인텔"', [("인텔",)], [], ""),  # a quoted single word is that word
        ("반도체 -관세", [("반도체",)], [("관세",)], ""),
        ('금리 -"부산 자영업자"', [("금리",)], [("부산", "자영업자")], ""),
        ("태풍 outlet:가람일보", [("태풍",)], [], "가람일보"),
        ("태풍 언론사:새벽신문", [("태풍",)], [], "새벽신문"),
        ('태풍 outlet:"바람 뉴스"', [("태풍",)], [], "바람 뉴스"),
        ("OUTLET:가람일보 태풍", [("태풍",)], [], "가람일보"),
        ("언론사: 새벽신문 태풍", [("태풍",)], [], "새벽신문"),  # a space after the colon
        ("태풍 outlet:", [("태풍",)], [], ""),  # no name: no filter, and no word "outlet"
        ("-outlet:가람일보 태풍", [("태풍",)], [], ""),  # not supported: said in a message
        ("반도체 AND 수출", [("반도체",), ("수출",)], [], ""),  # operators in capitals
        ("반도체 NOT 관세", [("반도체",)], [("관세",)], ""),
        ('반도체 NOT "부산 공장"', [("반도체",)], [("부산", "공장")], ""),
        ("반도체 OR 관세", [("반도체",), ("관세",)], [], ""),  # said in a message
        ("and", [("and",)], [], ""),  # a word in small letters is a word
        ("반도체 -NOT", [("반도체",)], [("not",)], ""),  # an excluded word, not an operator
        ("HBM3E", [("hbm", "3", "e")], [], ""),
        ("미르내-2", [("미르", "2")], [], ""),
        ("美 관세", [("미국",), ("관세",)], [], ""),
        ("인텔 인텔", [("인텔",)], [], ""),  # repeated words count once
    ],
)
def test_parse_query(text, required, excluded, outlet):
    assert shape(text) == (required, excluded, outlet)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", MESSAGE_NO_INPUT),
        ("   ", MESSAGE_NO_INPUT),
        (None, MESSAGE_NO_INPUT),
        ("에서", MESSAGE_NOTHING_TO_SEARCH),
        ("은 는 이 가", MESSAGE_NOTHING_TO_SEARCH),
        ("으로부터", MESSAGE_NOTHING_TO_SEARCH),
        ("!!!???", MESSAGE_NOTHING_TO_SEARCH),
        ("😀", MESSAGE_NOTHING_TO_SEARCH),
        ("ㅋㅋㅋㅋ ㅠㅠ", MESSAGE_NOTHING_TO_SEARCH),
        ("~" * 1000, MESSAGE_NOTHING_TO_SEARCH),
        ('""', MESSAGE_NOTHING_TO_SEARCH),
        ("-관세", MESSAGE_ONLY_EXCLUDED),
        ("outlet:가람일보", MESSAGE_ONLY_OUTLET),
        ("- - -", MESSAGE_NOTHING_TO_SEARCH),
    ],
)
def test_nothing_to_search_is_an_empty_query_with_a_message(text, message):
    query = parse_query(text)
    assert query.empty
    assert query.message.startswith(message)


def test_noise_of_any_length_never_raises_and_is_capped():
    noisy = "가나다 " * 300 + "ＡＢＣ😀\x00\u200b" * 100 + '"' * 51 + "-" * 40
    query = parse_query(noisy)
    assert len(query.text) <= 256
    assert len(query.required) <= MAX_TERMS


def test_a_repeated_word_is_not_cut():
    assert parse_query(" ".join(["반도체"] * (MAX_TERMS + 1))).messages == ()


def test_too_many_words_are_cut_with_a_message():
    query = parse_query(" ".join(f"단어{n}" for n in range(20)))
    assert len(query.required) == MAX_TERMS
    assert query.message == MESSAGE_TOO_MANY


def test_what_the_query_leaves_out_is_said_in_a_message():
    too_long = parse_query("반도체 " + "가" * 300 + " 관세")
    assert len(too_long.text) == 256 and too_long.text.startswith("반도체 가")  # 관세 is cut
    assert too_long.messages == (MESSAGE_TOO_LONG,)
    excluded = parse_query("반도체 " + " ".join(f"-단어{n}" for n in range(MAX_EXCLUDED + 1)))
    assert len(excluded.excluded) == MAX_EXCLUDED
    assert excluded.messages == (MESSAGE_TOO_MANY_EXCLUDED,)
    two = parse_query("반도체 outlet:가람일보 outlet:누리경제")
    assert two.outlet == "누리경제"
    assert two.messages == (MESSAGE_ONE_OUTLET.format(name="누리경제"),)
    assert parse_query("반도체 outlet:가람일보 outlet:가람일보").messages == ()
    assert parse_query("반도체 OR 관세 OR 수출").messages == (MESSAGE_NO_OR,)
    negated = parse_query("-outlet:가람일보 -outlet:누리경제 반도체")
    assert negated.outlet == "" and negated.messages == (MESSAGE_NO_OUTLET_EXCLUSION,)


def test_dates_are_whole_days_in_seoul():
    query = parse_query("태풍", date_from="2025-03-01", date_to=date(2025, 3, 2))
    assert query.date_from == datetime(2025, 3, 1, tzinfo=KST)
    assert query.date_to == datetime(2025, 3, 3, tzinfo=KST)  # exclusive: all of 3월 2일


def test_reversed_dates_are_swapped():
    query = parse_query("태풍", date_from="2025-03-05", date_to="2025-03-01")
    assert query.date_from == datetime(2025, 3, 1, tzinfo=KST)
    assert query.date_to == datetime(2025, 3, 6, tzinfo=KST)


@pytest.mark.parametrize("bad", ["어제", "2025-13-01", "2025/03/01", "99999-01-01"])
def test_a_bad_date_is_dropped_with_a_message(bad):
    query = parse_query("태풍", date_from=bad)
    assert query.date_from is None and not query.empty
    assert MESSAGE_BAD_DATE in query.message


def test_title_only_and_sort_are_parameters():
    query = parse_query("태풍", title_only=True, sort="date")
    assert query.title_only and query.sort == "date"
    assert parse_query("태풍", sort="nonsense").sort == "relevance"


def test_highlight_marks_quoted_phrases_as_phrases_and_never_excluded_words():
    query = parse_query('"조 지원" 반도체 -관세 -"조기 집행"')
    assert query.highlight_terms == {"반도체"}
    assert query.highlight_phrases == {("조", "지원")}
    assert parse_query("AI반도체 수출").highlight_phrases == set()  # plain words stay terms
