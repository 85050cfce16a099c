import pytest

from newsrank.search.hanja import hanja_table, hanja_word, normalize_hanja


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("與 野 원내대표 회동", "여당 야당 원내대표 회동"),
        ("美 관세에 中 반발", "미국 관세에 중국 반발"),
        ("日 홋카이도 지진", "일본 홋카이도 지진"),
        ("尹 대통령·李 대표", "윤 대통령·이 대표"),
        ("北, 미사일 발사", "북한, 미사일 발사"),
        ("英·獨·佛 정상", "영국·독일·프랑스 정상"),
        ("露 외무장관", "러시아 외무장관"),
        ("韓美日 정상회의", "한미일 정상회의"),
        ("與野 합의", "여야 합의"),
        ("文정부 정책", "문정부 정책"),
        ("반도체株 강세", "반도체주 강세"),
        # Right after a number or a Korean word, 中 is "among" or "during" and 日 a day.
        ("국민 3명中 1명 찬성", "국민 3명중 1명 찬성"),
        ("이번주中 발표", "이번주중 발표"),
        ("지난 3日 발표", "지난 3일 발표"),
        ("美中 갈등, 中 반발", "미중 갈등, 중국 반발"),
        ("韓中日 정상회의", "한중일 정상회의"),
        # Written in full, hanja words are not abbreviations.
        ("中國 경제", "中國 경제"),
        ("日本 정부", "日本 정부"),
        # Ambiguous characters are left out of the table on purpose.
        ("전년比 62% 증가", "전년比 62% 증가"),
        ("金값 급등", "金값 급등"),
        ("그냥 한글 문장", "그냥 한글 문장"),
    ],
)
def test_normalize_hanja(text, expected):
    assert normalize_hanja(text) == expected


def test_table_has_the_headline_abbreviations():
    table = hanja_table()
    expected = {"與": "여당", "野": "야당", "中": "중국", "美": "미국", "日": "일본", "北": "북한"}
    expected |= {"韓": "한국", "尹": "윤", "李": "이", "朴": "박", "文": "문", "英": "영국"}
    expected |= {"獨": "독일", "佛": "프랑스", "露": "러시아", "印": "인도"}
    assert expected.items() <= table.items()
    assert hanja_word("美") == "미국" and hanja_word("가") is None
    assert hanja_word("中", attached=True) == "중" and hanja_word("美", attached=True) == "미국"


def test_table_file_is_sorted_and_well_formed():
    from newsrank.search.hanja import TABLE_PATH

    rows = [
        line for line in TABLE_PATH.read_text().splitlines() if line and not line.startswith("#")
    ]
    keys = [row.split("\t")[0] for row in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert all(len(row.split("\t")) in (2, 3) for row in rows)
