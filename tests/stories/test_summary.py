"""요약: Korean sentence splitting, and the extractive summary on fictional articles."""

import json
from pathlib import Path

import pytest

from newsrank.stories.summary import split_sentences, summarize

CONTENT = Path(__file__).resolve().parents[2] / "newsrank" / "demo" / "content"


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("한은은 금리를 내렸다. 8개월 만이다.", ["한은은 금리를 내렸다.", "8개월 만이다."]),
        (
            "금리는 연 2.75%로 0.25%p 내렸다. 끝이다.",
            ["금리는 연 2.75%로 0.25%p 내렸다.", "끝이다."],
        ),
        ("규모 5.8의 지진이 났다. 피해는 없다.", ["규모 5.8의 지진이 났다.", "피해는 없다."]),
        (
            "정부는 2025. 10. 14. 발표했다. 다음이다.",
            ["정부는 2025. 10. 14. 발표했다.", "다음이다."],
        ),
        ("美(U.S.) 정부가 밝혔다. 다음이다.", ["美(U.S.) 정부가 밝혔다.", "다음이다."]),
        ("Mr. Kim met Dr. Lee. It rained.", ["Mr. Kim met Dr. Lee.", "It rained."]),
        ("왜 그랬을까? 아무도 모른다! 그렇죠.", ["왜 그랬을까?", "아무도 모른다!", "그렇죠."]),
        ("괜찮아요. 정말요.", ["괜찮아요.", "정말요."]),
        ("띄어쓰기 없이 끝났다.다음 문장이다.", ["띄어쓰기 없이 끝났다.", "다음 문장이다."]),
        (
            '그는 이렇게 말했다. "우리는 이긴다." 관중이 환호했다.',
            ["그는 이렇게 말했다.", '"우리는 이긴다."', "관중이 환호했다."],
        ),
        (
            '강 장관은 "지켜내겠다"며 "점검하겠다"고 말했다. 끝이다.',
            ['강 장관은 "지켜내겠다"며 "점검하겠다"고 말했다.', "끝이다."],
        ),
        ('"…하겠다."고 말했다. 다음이다.', ['"…하겠다."고 말했다.', "다음이다."]),
        (
            '그는 "첫 문장이다. 둘째 문장이다"라고 말했다. 다음이다.',
            ['그는 "첫 문장이다. 둘째 문장이다"라고 말했다.', "다음이다."],
        ),
        ("“첫 문장이다. 둘째다” 그가 말했다. 끝.", ["“첫 문장이다. 둘째다” 그가 말했다.", "끝."]),
        ("마침표 없는 문장", ["마침표 없는 문장"]),
        ("  ", []),
    ],
)
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


# A fictional article written for this test, lead first, with a repeated sentence and a credit line.
TITLE = "누리시, 시내버스 요금 300원 인상…내달 1일부터"
ARTICLE = [
    "누리시가 다음 달 1일부터 시내버스 기본요금을 1,500원에서 1,800원으로 300원 올린다.",
    "누리시는 이날 물가대책위원회를 열어 시내버스 요금 인상안을 의결했다고 밝혔다. 요금 인상은 6년 만이다.",
    "시는 연료비와 인건비가 오르면서 버스 회사의 적자가 커졌다고 설명했다. 지난해 적자는 1,200억원에 이른다.",
    "청소년과 어린이 요금은 동결된다. 시민단체는 서민 부담이 커진다며 반발했다.",
    '누리시민연대는 성명을 내고 "버스 회사 경영 효율화 없이 시민에게 부담을 떠넘겼다"고 비판했다.',
    "시는 연료비와 인건비가 오르면서 버스 회사의 적자가 커졌다고 설명했다.",
    "사진=누리시 제공",
]


def test_summary_is_three_sentences_of_the_article_in_order():
    summary = summarize(TITLE, ARTICLE)
    assert len(summary) == 3
    assert summary[0] == ARTICLE[0]  # the lead says who did what
    sentences = [s for paragraph in ARTICLE for s in split_sentences(paragraph)]
    assert [sentences.index(s) for s in summary] == sorted(sentences.index(s) for s in summary)
    assert (
        "누리시는 이날 물가대책위원회를 열어 시내버스 요금 인상안을 의결했다고 밝혔다." in summary
    )
    assert "사진=누리시 제공" not in summary


def test_summary_does_not_repeat_itself():
    repeated = [ARTICLE[0]] + [ARTICLE[0].replace("누리시가", "누리시는")] + ARTICLE[1:]
    summary = summarize(TITLE, repeated)
    assert len({s.replace("누리시는", "누리시가") for s in summary}) == len(summary)


def test_max_sentences():
    assert len(summarize(TITLE, ARTICLE, max_sentences=2)) == 2
    assert len(summarize(TITLE, ARTICLE, max_sentences=1)) == 1


@pytest.mark.parametrize(
    ("title", "paragraphs", "section", "why"),
    [
        ("[속보] 누리시 버스요금 300원 인상", ["누리시가 버스요금을 300원 올린다."], "", "a flash"),
        (TITLE, ARTICLE[:2], "", "fewer than four sentences"),
        (TITLE, ["짧다. " * 10], "", "under 300 characters"),
        ("[포토] 누리시 버스 요금 인상", ARTICLE, "", "a photo item"),
        ("【화보】 누리시 버스", ARTICLE, "", "a gallery"),
        ("[사설] 버스 요금 인상, 서민 부담 살펴야", ARTICLE, "", "an editorial"),
        ("[칼럼] 버스 요금의 정치학", ARTICLE, "", "a column"),
        ("[기고] 대중교통은 복지다", ARTICLE, "", "a contribution"),
        ("<시론> 요금 인상의 조건", ARTICLE, "", "an op-ed"),
        ("[기자수첩] 6년 만의 인상", ARTICLE, "", "a reporter's notebook"),
        (TITLE, ARTICLE, "opinion", "the opinion section"),
        (TITLE, ARTICLE, "오피니언", "the 오피니언 section"),
    ],
)
def test_no_summary(title, paragraphs, section, why):
    assert summarize(title, paragraphs, section=section) == [], why


def test_straight_news_analysis_is_summarized():
    assert summarize("[분석] 누리시 버스 요금 인상의 배경", ARTICLE)


def sample_articles():
    for path in sorted(CONTENT.glob("*.json")):
        yield from json.loads(path.read_text("utf-8"))["articles"]


def test_sample_content():
    """On the sample outlets: verbatim sentences, in order, none for flashes, most articles summarized."""
    summarized = 0
    for article in sample_articles():
        summary = summarize(article["title"], article["body"], section=article["section"])
        body = "\n".join(article["body"])
        assert len(summary) <= 3
        positions = [body.find(sentence) for sentence in summary]
        assert -1 not in positions, article["title"]
        assert positions == sorted(positions), article["title"]
        if article["title"].startswith("[속보]"):
            assert summary == [], article["title"]
        summarized += bool(summary)
    assert summarized >= 60  # of 97: the rest are flashes and four-line briefs
