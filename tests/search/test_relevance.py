"""Judged queries over the sample outlets' articles (newsrank/demo/content/*.json).

Each judgment names the articles a reader wants first (`relevant`: recall@10 and MRR are computed
over them) and articles that must not appear at all (`never`). The floors are those measured when
the suite was written (see the report in bench/RESULTS.md), rounded down, so a change that makes
search worse fails here. Runs alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from newsrank.board.models import Post
from newsrank.search.backends import entry_fields, get_backend, search
from newsrank.search.query import parse_query
from newsrank.sources.models import Outlet

pytestmark = pytest.mark.django_db

CONTENT = Path(__file__).resolve().parents[2] / "newsrank" / "demo" / "content"
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
RECALL_FLOOR = 0.98
MRR_FLOOR = 0.98

# (query, relevant article ids, article ids that must not appear)
JUDGED = [
    # 반도체 수출 지원 (kang-export-support-package)
    ("반도체 수출 지원", {"30100", "118200", "5408"}, {"64043", "30124"}),
    ("32조", {"30100", "118200", "5408"}, {"30108"}),
    ('"반도체 수출"', {"30100", "118200", "5408"}, {"30157", "5443"}),
    ("용인 전력망", {"30100", "118200", "5408"}, {"30202"}),
    # 한성반도체 실적 (hanseong-q3-earnings)
    ("한성반도체 영업익", {"30108", "902008", "5416"}, {"30100"}),
    ("한성반도체의 3분기 실적", {"30108", "902008", "5416"}, {"64043"}),
    ("HBM 비중", {"30108", "902008"}, {"30291"}),
    # HX-16 (hanseong-hbm-launch)
    ("HX-16", {"30157", "902032", "902045", "118243", "5443"}, {"30108", "30100"}),
    ("hx-16", {"30157", "902032", "902045", "118243", "5443"}, {"30108"}),
    ("HBM4E", {"30157", "902032"}, {"30108", "5416"}),
    ("한성 반도체 HBM4E", {"30157", "902032"}, {"30108", "5416"}),  # 한성반도체 read whole
    ("16단 HBM", {"30157", "902045", "118243"}, {"30202"}),
    ("하이브리드 본딩", {"902045"}, {"30157"}),
    # 청년주거안정특별법 (youth-housing-bill-*)
    ("청년주거안정특별법", {"30116", "30248", "30264", "118286"}, {"30100"}),
    ("청년주거특별법", {"118208", "5424", "5494"}, {"64000"}),
    ("국토위 소위 통과", {"30116", "118208", "5424"}, {"30248"}),
    ("공공임대 청년 우선 공급", {"30264"}, {"5400"}),
    ("청년주거법", {"7770"}, {"30124"}),
    # 축구 (national-football-oman)
    ("축구대표팀 오만 역전승", {"30124", "64008", "118224"}, {"64078"}),
    ("한도윤 멀티골", {"30124", "64008", "7732", "64067"}, {"64000"}),
    ("배성근호", {"118224"}, {"64032"}),
    ("서지안 교체", {"64016"}, {"64078"}),
    ("獨 이적", {"64067"}, {"30124"}),
    ("독일 구단", {"64067"}, {"30132"}),
    # 일본 지진
    ("일본 지진", {"30132"}, {"30194"}),
    ("日 지진", {"30132"}, {"30194"}),
    ("홋카이도", {"30132"}, {"30124"}),
    # 감천항 화재 (busan-gamcheon-port-fire)
    ("감천항 화재", {"30139", "118232", "7735", "7759"}, {"30229", "30240"}),
    ("냉동창고", {"30139", "118232", "7735", "7759"}, {"118302"}),
    ("합동감식", {"7759"}, {"30139"}),
    # 문화
    ("상감청자 특별전", {"30145"}, {"118216"}),
    ("사진전 잊힌 골목", {"118216"}, {"7708"}),
    ("골목 음악회", {"7708"}, {"118216"}),
    # 태풍 하늘 (typhoon-hanul-*)
    ("태풍 하늘 상륙", {"30205", "30213", "30149"}, {"30291", "64035"}),
    ("거제", {"30205", "30213"}, {"30124"}),
    ("정전 가구", {"30213"}, {"30221"}),
    ("부산항 컨테이너", {"5467"}, {"7700"}),
    ("마린시티 월파", {"7767"}, {"30213"}),
    ("영도 복구", {"7778"}, {"7700"}),
    ("비상 1단계", {"7751"}, {"30229"}),
    # 미르내-2 (mirne2-*)
    ("미르내-2 발사 연기", {"30170", "902035", "118251"}, {"30291"}),
    ("미르내-2 발사 성공", {"902086", "118305", "5502"}, {"30291"}),
    ("가온샛", {"30275", "902086"}, {"30157"}),
    ("우주항공株", {"5502"}, {"5486"}),
    ("민간 소형발사체", {"118305"}, {"30124"}),
    # 관세 (kang-tariff-remarks)
    ("美 반도체 관세", {"30178", "5451", "902050"}, {"30100", "118200"}),
    ("미국 관세 협상", {"30178", "5451", "902050"}, {"5408"}),
    ("강문석", {"30100", "30178", "5451", "902050"}, {"30108"}),
    ("강문석 장관", {"30178", "902050"}, {"30108"}),
    # 사회·세계
    ("싱크홀", {"30186"}, {"30221"}),
    ("자카르타 폭우", {"30194"}, {"30132"}),
    ("EU AI반도체", {"30202"}, {"30100"}),
    ("지하철 2호선 지연", {"30221"}, {"7743"}),
    ("도시철도 4호선", {"7743"}, {"30221"}),
    ("이천 물류센터 화재", {"30229", "30240", "30283", "118302", "5478"}, {"30139", "7735"}),
    ("연락두절 근로자", {"30240", "30283"}, {"30139"}),
    ("가연성 포장재", {"118302"}, {"30139"}),
    ("장보기 배송", {"5478"}, {"5432"}),
    ("돌봄교실", {"118259"}, {"5400"}),
    ("유엔 물 안보", {"118235"}, {"30194"}),
    ("개인정보 유출", {"902078"}, {"902016"}),
    ("밍크고래", {"7724"}, {"7716"}),
    ("고등어 위판량", {"7716"}, {"7724"}),
    ("북항 재개발", {"7700"}, {"7743"}),
    ("선거구 획정", {"30165"}, {"118267"}),
    ("원내대표 회동", {"118267"}, {"30165"}),
    # 경제 (central-bank-rate-cut)
    ("기준금리 인하", {"30237", "5470", "30256"}, {"5400", "30100"}),
    ("한은", {"30237", "30256", "5470"}, {"30108"}),
    ("금리 인하 코스피", {"5486"}, {"5435"}),
    ("대출이자", {"118294"}, {"5400"}),
    ("자영업자 이자 부담", {"7786"}, {"30100"}),
    ("연체율", {"5400"}, {"30237"}),
    ("환율", {"5435"}, {"5459"}),
    ("국제유가", {"5459"}, {"5435"}),
    ("PB 도시락", {"5432"}, {"5478"}),
    # 연예·스포츠
    ("루미나", {"30291", "64035", "64043", "64070", "118270", "902058"}, {"30124"}),
    ("루미나 월드투어", {"30291", "64070"}, {"64035"}),
    ("루미나 -월드투어", {"64035", "64043", "118270", "902058"}, {"30291", "64070"}),
    # 30291 and 64035 name the album (애프터글로우(Afterglow)) in their bodies, 30291 the tour too.
    ("afterglow", {"64043", "30291", "64035"}, {"30124"}),
    ("애프터글로우", {"118270", "30291", "64035"}, {"30124"}),
    ("GLOW UP", {"64070", "30291"}, {"64035"}),
    ("겨울 등대", {"64024", "64051"}, {"64059"}),
    ("시청률", {"64024"}, {"64059"}),
    ("청어 떼", {"64059"}, {"64024"}),
    ("끝내기 투런", {"64032"}, {"64000"}),
    ("생애 첫 우승", {"64000"}, {"64032"}),
    ("여자배구", {"64078"}, {"64032"}),
    # IT
    ("양자컴퓨터", {"902000"}, {"902016"}),
    ("큐비트", {"902000"}, {"902024"}),
    ("LLM", {"902016"}, {"902000"}),
    ("dalbit-7b", {"902016"}, {"902067"}),
    ("6G 시험망", {"902024"}, {"902000"}),
    ("100Gbps", {"902024"}, {"902070"}),
    ("생성형 AI", {"902058"}, {"30202"}),
    ("Nebula Drifters", {"902067"}, {"902070"}),
    ("taerim fold", {"902070"}, {"902067"}),
]


@cache
def articles() -> list[dict]:
    """The sample articles with their outlet's name, read straight from the demo's content."""
    found = []
    for path in sorted(CONTENT.glob("*.json")):
        outlet = json.loads(path.read_text(encoding="utf-8"))
        for article in outlet["articles"]:
            found.append(article | {"outlet": outlet["name"], "slug": outlet["slug"]})
    return found


@cache
def analyzed(article_id: str) -> dict[str, str]:
    """Entry fields of one article, analyzed once per test run (Kiwi is the slow part)."""
    article = next(a for a in articles() if a["id"] == article_id)
    post = Post(
        title=article["title"],
        subtitles=article["subtitles"],
        body_text="\n\n".join(article["body"]),
    )
    return entry_fields(post)


@pytest.fixture
def demo_posts(db):
    from django.db import connection

    outlets = {}
    ids = {}
    backend = get_backend()
    for article in articles():
        outlet = outlets.get(article["outlet"])
        if outlet is None:
            outlet = outlets[article["outlet"]] = Outlet.objects.create(
                name=article["outlet"], homepage=f"https://{article['slug']}.example/"
            )
        post = Post.objects.create(
            outlet=outlet,
            url=f"https://{article['slug']}.example/{article['id']}",
            title=article["title"],
            subtitles=article["subtitles"],
            body_text="\n\n".join(article["body"]),
            published_at=NOW + timedelta(minutes=article["offset_minutes"]),
        )
        with connection.cursor() as cursor:
            backend.write(cursor, post.number, outlet.pk, analyzed(article["id"]))
        ids[post.number] = article["id"]
    return ids


def run_judged(demo_posts):
    """Per query: (ranked article ids, recall@10, reciprocal rank, unwanted ids returned)."""
    rows = []
    for text, relevant, never in JUDGED:
        result = search(parse_query(text), page_size=50, now=NOW)
        ranked = [demo_posts[post.number] for post in result.posts]
        recall = len(relevant & set(ranked[:10])) / len(relevant)
        first = next((rank for rank, id_ in enumerate(ranked, 1) if id_ in relevant), None)
        rows.append((text, ranked, recall, 1 / first if first else 0.0, never & set(ranked)))
    return rows


def test_there_are_enough_judged_queries():
    assert len(JUDGED) >= 60
    known = {article["id"] for article in articles()}
    for _, relevant, never in JUDGED:
        assert relevant <= known and never <= known and not relevant & never


def test_judged_queries_reach_recall_and_mrr_floors(demo_posts):
    rows = run_judged(demo_posts)
    recall = sum(row[2] for row in rows) / len(rows)
    mrr = sum(row[3] for row in rows) / len(rows)
    misses = [
        f"{text}: recall {r:.2f}, rr {rr:.2f}, got {ranked[:10]}"
        for text, ranked, r, rr, _ in rows
        if r < 1 or rr < 1
    ]
    print(f"\njudged queries: {len(rows)}  recall@10 {recall:.3f}  MRR {mrr:.3f}")
    print("\n".join(misses))
    assert recall >= RECALL_FLOOR and mrr >= MRR_FLOOR, "\n".join(misses)


def test_no_judged_query_returns_an_article_it_must_not(demo_posts):
    unwanted = [f"{text}: {sorted(bad)}" for text, _, _, _, bad in run_judged(demo_posts) if bad]
    assert not unwanted, "\n".join(unwanted)
