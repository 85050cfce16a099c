"""The Korean analyzer, as a table of cases: what a post is found by, and what a query finds."""

import pytest

from newsrank.search.analyzer import analyze, index_terms, normalize, query_terms


def finds(query: str, text: str) -> bool:
    """Whether a post with `text` matches every word of `query` (the backends' rule, in Python)."""
    document = analyze(text)
    terms = set(document.terms)
    words = query_terms(query)
    if not words:
        return False

    def has(alternative):
        if len(alternative) == 1:
            return alternative[0] in terms
        n = len(alternative)
        return any(
            tuple(document.parts[i : i + n]) == alternative
            for i in range(len(document.parts) - n + 1)
        )

    return all(any(has(alternative) for alternative in word.alternatives) for word in words)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("인텔과 삼성", {"인텔", "삼성"}),
        ("인텔의 새 칩", {"인텔", "칩"}),
        ("인텔은 밝혔다", {"인텔"}),
        ("의대 증원에 반발", {"의대", "증원", "반발"}),
        ("벚꽃 축제", {"벚꽃", "축제"}),
        ("AI반도체", {"ai", "반도체", "ai반도체"}),
        ("AI 반도체", {"ai", "반도체"}),
        ("HBM3E", {"hbm3e", "hbm", "3", "e"}),
        ("hbm3e", {"hbm3e"}),
        ("SK하이닉스", {"sk하이닉스", "sk", "하이닉스"}),
        ("5세대 이동통신", {"5세대", "5", "세대"}),
        ("2032년까지", {"2032년", "2032"}),
        ("영업익 4조1천억원", {"영업익", "4조1천억원"}),
        ("규모 5.8 지진", {"5.8", "지진"}),
        ("환율 1,360원대", {"1360", "환율"}),
        ("與 野 대표", {"여당", "야당", "대표"}),
        ("美 관세", {"미국", "관세"}),
        ("日 홋카이도", {"일본", "홋카이도"}),
        ("尹 대통령", {"윤", "대통령"}),
        ("韓美日 정상", {"한미일", "정상"}),
        ("국민 3명中 1명 찬성", {"3명중", "1명", "찬성"}),  # 中 after a counter is 중, "among"
        ("지난 3日 발표", {"3일", "발표"}),
        ("ＡＩ 반도체", {"ai", "반도체"}),  # full-width Latin
        ("미르내-2 발사", {"미르내-2", "발사"}),  # an unknown name keeps its written stem
        ("강문석 산업장관", {"강문석", "산업장관"}),
        ("겨울 등대", {"겨울", "등대"}),
    ],
)
def test_index_terms(text, expected):
    assert expected <= set(index_terms(text))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "에서는", "으로부터", "!!! ??? ...", "😀", "😀🔥👍", "ㅋㅋㅋㅋ", "~!@#$%^&*()"],
)
def test_text_without_searchable_words_gives_no_terms(text):
    assert query_terms(text) == []


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("인텔", "인텔과 협력한다"),
        ("인텔", "인텔의 신제품"),
        ("인텔과", "인텔은 발표했다"),
        ("증원", "의대 증원 규모"),
        ("의대", "의대 정원을 늘린다"),
        ("벚꽃", "벚꽃이 피었다"),
        ("AI반도체", "AI 반도체 공동투자"),
        ("AI 반도체", "AI반도체 공동투자"),
        ("ai반도체", "AI반도체 시장"),
        ("HBM3E", "hbm3e 양산"),
        ("hbm3e", "HBM3E 양산"),
        ("SK하이닉스", "sk하이닉스가 발표"),
        ("sk하이닉스", "SK하이닉스의 실적"),
        ("5세대", "5세대 이동통신"),
        ("미국", "美 반도체 관세"),
        ("美", "미국 반도체 관세"),
        ("일본 지진", "日 홋카이도 지진"),
        ("여당", "與 원내대표"),
        ("강문석", "강문석 산업장관이 말했다"),
        ("루미나", "루미나 'Afterglow' 선주문"),
        ("루미나", "걸그룹 루미나, 첫 월드투어"),
        ("미르내-2", "소형발사체 '미르내-2' 발사"),
        ("청년주거안정특별법", "청년주거안정특별법 국회 통과"),
        ("청년 주거", "청년주거안정특별법 국회 통과"),
        # A long noun that Kiwi reads whole in its sentence, found by its nouns (`noun_pieces`).
        ("반도체", "한성반도체, 16-Hi HBM4E 공개"),
        ("누리 반도체", "누리반도체는 이날 밝혔다"),
        ("항공", "우주항공청이 발표했다"),
    ],
)
def test_query_finds_text(query, text):
    assert finds(query, text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("HBM3E", "HBM4E 공개…3분기"),
        ("5세대", "6세대 기술"),
        ("인텔", "삼성전자 발표"),
        ("반도체 관세", "반도체 수출"),
        ("미국", "중국 관세"),
        ("민국", "대한민국 정부"),  # one name, not two nouns
        ("전자", "삼성전자 발표"),
    ],
)
def test_query_does_not_find_text(query, text):
    assert not finds(query, text)


def test_normalize_is_nfc_and_full_width_as_ascii_one_for_one():
    decomposed = "\u1112\u1161\u11ab"  # 한 as jamo (NFD)
    assert normalize(decomposed) == "한"
    assert normalize("ＡＩ반도체") == "AI반도체"
    assert len(normalize("ＡＩ")) == 2


def test_invisible_characters_do_not_split_a_word():
    assert normalize("반\u200b도체 \ufeff수출\u00ad입") == "반도체 수출입"
    assert finds("반도체", "반\u200b도체 수출")
    assert finds("반\u200d도체", "반도체 수출")


def test_decomposed_hangul_is_found_like_composed():
    import unicodedata

    assert index_terms(unicodedata.normalize("NFD", "의대 증원")) == index_terms("의대 증원")


def test_long_noise_is_cut_not_failed():
    assert isinstance(query_terms("가" * 1000 + "😀" * 500), list)
    assert all(len(term) <= 40 for term in index_terms("나" * 5000))


BODY = (
    "[서울=뉴시스] 삼성전자가 'AI반도체'의 HBM3E 양산을 시작했다. 미국 수출은 5세대 제품부터다. "
    "문의: press@example.com"
)


def test_body_analysis_finds_what_the_sentence_analysis_finds():
    from newsrank.search.analyzer import analyze_body

    body = set(analyze_body(BODY).terms)
    assert {"삼성전자", "ai반도체", "ai", "반도체", "hbm3e", "양산", "미국", "5세대"} <= body
    assert not {"의", "은", "가"} & body  # a particle after a quote stays a particle


def test_body_terms_do_not_depend_on_what_was_analyzed_before():
    from newsrank.search import analyzer

    first = analyzer.analyze_body(BODY)
    analyzer._word_cache.clear()
    analyzer.analyze_body("반도체 수출이 늘었다. " * 3)
    assert analyzer.analyze_body(BODY) == first
    analyzer._word_cache.clear()
    assert analyzer.analyze_body(BODY) == first


# Punctuation, quotes, brackets, hanja, numbers, counters, Latin, an address, full-width letters,
# chat noise and underscores: each kind of chunk the body analysis meets.
MIXED_BODY = (
    '[서울=뉴시스] 與 원내대표는 "AI반도체"(HBM3E)의 양산을 5세대부터 시작한다고 밝혔다. '
    "환율은 1,360원대, 영업익 4조1천억원… 美·日 정상(63)은 '미르내-2'를 봤다. "
    "ＡＩ 스타트업 snake_case ㅋㅋㅋ 강문석 장관. 문의: press@example.com 2032년까지 "
    "영도 겨울 등대 韓美日 정상회의 청년주거안정특별법"
)


def test_body_terms_are_the_terms_of_each_chunk_alone():
    """analyze_body (batched, sorted, cached, with fast paths) = analyze() of each chunk alone."""
    from newsrank.search import analyzer

    analyzer._word_cache.clear()
    body = analyzer.analyze_body(MIXED_BODY)
    parts, extras = [], []
    for chunk in normalize(MIXED_BODY).split():
        alone = analyze(chunk)
        parts += alone.parts
        extras += alone.extras
    assert (body.parts, body.extras) == (parts, extras)
    assert {"여당", "hbm3e", "ai반도체", "5세대", "1360원", "미르내-2", "강문석", "한미일"} <= set(
        body.terms
    )


def test_shortcuts_give_what_the_general_paths_give():
    """Words without punctuation skip the word pattern, and most words skip the general extras."""
    from newsrank.search.analyzer import _morphemes, _spans_words, _words

    chunks = [*normalize(MIXED_BODY).split(), "영도", "겨울", "²", "x", "ㅋㅋ", "AI반도체"]
    shortcut = 0
    for chunk in chunks:
        morphemes = _morphemes(chunk)
        words = _words(chunk, morphemes)
        assert words == _spans_words(chunk, morphemes)
        shortcut += chunk.isalnum()
        for word in words:
            assert word.extras == word._extras()
    assert shortcut > 20


@pytest.mark.parametrize(
    ("raw", "term"),
    [
        ("1,360원", "1360원"),
        ("HBM3E", "hbm3e"),
        ("-미르내-2.", "미르내-2"),
        ("ㅋㅋ반도체_", "반도체"),
    ],
)
def test_clean_term(raw, term):
    from newsrank.search.analyzer import clean_term

    assert clean_term(raw) == term


def test_a_hanja_after_a_word_is_not_the_country():
    assert "중국" not in index_terms("국민 3명中 1명 찬성")
    assert "중국" not in index_terms("이번주中 발표")
    assert "일본" not in index_terms("지난 3日 발표")
    assert {"중국", "견제", "미국"} <= set(index_terms("中 견제 나선 美"))
    assert "미중" in index_terms("美中 갈등")
