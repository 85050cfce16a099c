"""Per-outlet extraction rules: which parts of an outlet's article page are the title, body, photos…

A sorted table of data, after Miniflux's `internal/reader/scraper/rules.go`: one `Rule` per outlet
or CMS family, matched by host (`hosts`) or, for a CMS used by many outlets and for the sample
outlets served on loopback, by URL path (`path`, a regex searched in "path?query"). `extract.py`
applies the rule that matches and falls back to the generic extractor (trafilatura) for the whole
page when the rule's body comes out empty, and for each field the rule leaves empty or finds nothing
for.

Selectors are XPath 1.0 (lxml has no CSS selectors without the `cssselect` package, which newsrank
does not depend on), with one shorthand: `has-class('x')` is true when the element's class list
holds `x`. `title`, `subtitles`, `byline`, `date`, `body` and `drop` are evaluated on the page;
`paragraphs`, `headings` and `photos` inside the body (absolute `//…` ones may reach outside it);
`captions` inside each photo. A union (`a | b`) lists alternatives for older and newer skins; for
`title`, `date` and `body` the first match in document order that holds something wins.

Where the entries come from:

- the selectors for the national outlets and the ND Soft CMS: ../shared/data/feeds/
  korean_feeds_notes.md section 6 ("HTML structure hints for the extractor"), which cites public
  parsers (fundus 2026, a NestJS parser set dated 2026-01-06) and live checks (KCIL, FB 2026-08/09);
  the entry's `source` names the sources the notes give for it;
- 한국일보 and 매일경제 also from reading their real pages in ../shared/data/pages/ (the body of
  한국일보's Next.js pages is only in a React Query script, `detail.contentHtml`);
- the sample outlets (`*.example`): newsrank/demo/layouts.py, which renders their pages.

Each rule has a page written for this project and its expected output under
tests/fixtures/pages/rules/ (tests/ingest/test_rules.py runs them all). Keep the table sorted by key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

__all__ = ["RULES", "Rule", "Script", "rule_for"]


@dataclass(frozen=True)
class Script:
    """Where a page keeps its article as JSON in a `<script>` (Next.js, React Query, Arc XP).

    `marker` is a key only the article object has; the other fields are dotted paths inside that
    object (a list on the way is walked item by item). `body` holds HTML or Arc XP
    `content_elements`; `noise` is a regex of placeholders to cut out of the body HTML.
    """

    marker: str
    title: str = ""
    subtitles: str = ""
    body: str = ""
    date: str = ""
    authors: str = ""
    noise: str = ""


@dataclass(frozen=True)
class Rule:
    """How to read one outlet's (or CMS family's) article pages; empty fields mean "generic"."""

    key: str  # the outlet's domain, or "~family" for a CMS matched by path; the table's sort key
    outlet: str
    hosts: tuple[str, ...] = ()  # a host or any subdomain of it
    path: str = ""  # regex searched in "path?query", on any host
    title: str = ""
    subtitles: str = ""
    byline: str = ""
    date: str = ""
    body: str = ""
    paragraphs: str = ""  # the body's text blocks; when empty (or nothing matches) all of it
    headings: str = ""  # body elements shown as subheadings (<h3>)
    photos: str = ""  # photo containers; when empty the generic photo finder runs on the body
    captions: str = ""
    drop: str = ""  # removed from the page before anything is read
    script: Script | None = None
    source: str = ""  # where the entry's knowledge comes from


_ND_SOFT = "ND Soft CMS (most regional and specialist papers)"

# fmt: off
RULES: tuple[Rule, ...] = (
    Rule(
        key="asiae.co.kr", outlet="아시아경제", hosts=("asiae.co.kr",),
        body="//div[@id='txt_area']",
        source="notes 6.3 (older domain→body map; FB)",
    ),
    Rule(
        key="baram.example", outlet="바람뉴스통신", hosts=("baram.example",),
        path=r"^/baram/view/AKR\d+$",
        title="//h1[has-class('tit')]",
        subtitles="//*[has-class('summary-zone')]//h2[has-class('tit-sub')]",
        byline="//*[has-class('writer-zone')]//*[has-class('tit-name')]",
        date="//*[has-class('update-time')]",
        body="//div[has-class('story-news')]",
        photos=".//figure", captions=".//figcaption",
        drop="//*[has-class('txt-copyright')]",
        source="newsrank/demo/layouts.py baram_article (a wire service, 연합뉴스-like markup)",
    ),
    Rule(
        key="byeol.example", outlet="별빛스포츠", hosts=("byeol.example",),
        path=r"^/byeol/[a-z]+/\d+$",
        title="//div[has-class('news_head')]//h2[has-class('news_title')]",
        subtitles="//div[has-class('news_summary')]/p",
        byline="//div[has-class('news_info')]//*[has-class('writer')]",
        date="//div[has-class('news_info')]//*[has-class('date')]",
        body="//div[@id='newsEndContents']",
        photos=".//div[has-class('img_box')]", captions=".//p[has-class('img_caption')]",
        source="newsrank/demo/layouts.py byeol_article (a mobile sports site)",
    ),
    Rule(
        key="chosun.com", outlet="조선일보", hosts=("www.chosun.com", "biz.chosun.com"),
        title="//h1[has-class('article-header__headline')]//span",
        subtitles="//*[has-class('article-header__headline-container')]//p//span",
        byline="//*[has-class('article-byline__author')]",
        date="//*[has-class('inputDate')]",
        body="//section[has-class('article-body')]",
        paragraphs=".//p[has-class('article-body__content-text')]",
        photos=".//figure", captions=".//figcaption",
        script=Script(
            marker="content_elements", title="headlines.basic", subtitles="subheadlines.basic",
            body="content_elements", date="first_publish_date", authors="credits.by.name",
        ),
        source="notes 6.2 Arc XP: Fusion.globalContent (KCIL live, FB); DOM from the NestJS "
               "ChosunParser",
    ),
    Rule(
        key="dain.example", outlet="다인IT", hosts=("dain.example",),
        path=r"^/dain/news/\d+$",
        title="//article//h1[has-class('post-title')]",
        subtitles="//header[has-class('post-header')]//p[has-class('lede')]",
        byline="//div[has-class('post-meta')]//address[has-class('author')]",
        date="//div[has-class('post-meta')]//time/@datetime",
        body="//article//div[has-class('post-content')]",
        photos="//article[has-class('post')]//figure", captions=".//figcaption",
        source="newsrank/demo/layouts.py dain_article (a modern IT site)",
    ),
    Rule(
        key="donga.com", outlet="동아일보", hosts=("donga.com",),
        title="//*[has-class('head_group')]//h1",
        subtitles="//*[has-class('news_view')]//h2[has-class('sub_tit')]",
        byline="//*[has-class('author_info')]//a",
        date="//*[has-class('date_info')]//p//span[@aria-hidden='true']",
        body="//*[has-class('news_view')]",
        photos=".//figure[has-class('img_cont')]", captions=".//figcaption",
        source="notes 6.3 (NestJS parser set; KCIL verified .news_view; text split by <br><br>)",
    ),
    Rule(
        key="edaily.co.kr", outlet="이데일리", hosts=("edaily.co.kr",),
        body="//div[has-class('news_body')][@itemprop='articleBody']",
        source="notes 6.3 (FB: edaily .news_body)",
    ),
    Rule(
        key="fnnews.com", outlet="파이낸셜뉴스", hosts=("fnnews.com",),
        body="//div[@id='article_content']",
        source="notes 6.3 (older domain→body map)",
    ),
    Rule(
        key="garam.example", outlet="가람일보", hosts=("garam.example",),
        path=r"^/garam/article/\d+\.html$",
        title="//article//h1[has-class('headline')]",
        subtitles="//article//header/h2[has-class('subtitle')]",
        byline="//article//div[has-class('byline')]//*[has-class('name')]",
        date="//article//div[has-class('byline')]//time/@datetime",
        body="//article//div[has-class('article_body')]",
        photos=".//figure", captions=".//figcaption",
        source="newsrank/demo/layouts.py garam_article (a national daily)",
    ),
    Rule(
        key="hani.co.kr", outlet="한겨레", hosts=("hani.co.kr",),
        title="//h3[contains(@class, 'ArticleDetailView_title')]",
        subtitles="//h4[contains(@class, 'ArticleDetailView_subtitle')]",
        byline="//*[contains(@class, 'reporterLink')]",
        date="//*[contains(@class, 'dateListItem')][contains(., '등록')]",
        body="//*[has-class('article-text')]",
        paragraphs=".//p[has-class('text')]",
        photos=".//figure",
        captions=".//*[contains(@class, 'ArticleDetailContent_figcaption')] | .//figcaption",
        source="notes 6.3 (NestJS parser set; KCIL: article#renewal2023); CSS-module classes "
               "have hashed suffixes, so matched by prefix",
    ),
    Rule(
        key="hankookilbo.com", outlet="한국일보", hosts=("hankookilbo.com",),
        title="//meta[@name='headline']/@content | //h1[has-class('title')]"
              " | //h2[has-class('news-view-ttl')]",
        subtitles="//div[@itemprop='articleBody']/h2 | //div[has-class('article-view')]/h2"
                  " | //p[has-class('news-view-lead')]",
        byline="//div[has-class('writer')]//*[has-class('name')]//strong",
        date="//meta[@property='article:published_time']/@content",
        body="//div[@itemprop='articleBody'] | //div[has-class('article-view')]"
             " | //div[has-class('end-body')]",
        paragraphs=".//p[has-class('editor-p')] | .//h3[has-class('editor-tit')]"
                   " | .//div[has-class('article-view')]/blockquote",
        photos=".//*[has-class('editor-img-box')]", captions=".//*[has-class('caption')]",
        script=Script(
            marker="contentHtml", title="title", subtitles="subTitle", body="contentHtml",
            date="deployDt", authors="byLines.writerName", noise=r"\$\$[A-Z_]+\$\$",
        ),
        source="notes 6.3 (fundus V1–V3, NestJS 2026-01); the real pages in ../shared/data/pages "
               "(Next.js: the article is only in a React Query script, detail.contentHtml)",
    ),
    Rule(
        key="hankyung.com", outlet="한국경제", hosts=("hankyung.com",),
        title="//h1[has-class('article-title')]",
        body="//div[has-class('article-body')] | //*[@id='articletxt']",
        source="notes 6.3 (FB; HKR)",
    ),
    Rule(
        key="heraldcorp.com", outlet="헤럴드경제", hosts=("heraldcorp.com",),
        body="//article[@id='articleText']",
        source="notes 6.3 (older domain→body map)",
    ),
    Rule(
        key="imbc.com", outlet="MBC", hosts=("imnews.imbc.com",),
        title="//h2[has-class('art_title')]",
        byline="//span[has-class('writer')]//a",
        date="//*[has-class('date')]//span[has-class('input')]",
        body="//*[has-class('news_txt')][@itemprop='articleBody']",
        source="notes 6.3 (NestJS parser set; FB: little of the body is in the static HTML)",
    ),
    Rule(
        key="inews24.com", outlet="아이뉴스24", hosts=("inews24.com",),
        body="//*[@id='articleBody']", paragraphs="./p",
        source="notes 6.3 (VD: the whole container holds ads and scripts, so its p only)",
    ),
    Rule(
        key="joongang.co.kr", outlet="중앙일보", hosts=("joongang.co.kr",),
        title="//h1[has-class('headline')]",
        subtitles="//*[has-class('ab_sub_heading')]//h2",
        byline="//*[has-class('byline')]//a",
        date="//time[@itemprop='datePublished']/@datetime",
        body="//*[@id='article_body']",
        paragraphs=".//p[@data-divno]",
        photos=".//*[has-class('ab_photo')]", captions=".//*[has-class('caption')]",
        source="notes 6.3 (public parser; KCIL verified #article_body)",
    ),
    Rule(
        key="kbs.co.kr", outlet="KBS", hosts=("news.kbs.co.kr",),
        title="//h4[has-class('headline-title')]",
        date="//em[has-class('input-date')]",
        body="//*[has-class('detail-body')] | //*[@id='cont_newstext']",
        photos="//*[has-class('detail-visual')]",
        source="notes 6.3 (public parser; KoNaCrawler kbsnews.py)",
    ),
    Rule(
        key="khan.co.kr", outlet="경향신문", hosts=("khan.co.kr",),
        title="//article//header//h1",
        byline="//header//*[has-class('bottom')]//*[has-class('editor')]//a",
        date="//*[has-class('date')]//*[has-class('inner')]//p[contains(., '입력')]",
        body="//*[@id='articleBody']",
        paragraphs=".//p[has-class('content_text')]",  # keeps the TTS widget's text out (FB)
        photos=".//figure", captions=".//figcaption",
        source="notes 6.3 (NestJS parser set; FB)",
    ),
    Rule(
        key="kmib.co.kr", outlet="국민일보", hosts=("kmib.co.kr",),
        title="//h1[has-class('article_headline')]",
        date="//*[has-class('datetime')]//div",
        body="//*[@id='articleBody']",
        photos=".//*[has-class('article_body_img')]//figure", captions=".//figcaption",
        source="notes 6.3 (public parser; byline is the body's last line, text split by <br>)",
    ),
    Rule(
        key="mk.co.kr", outlet="매일경제", hosts=("mk.co.kr",),
        title="//h2[has-class('news_ttl')]",
        subtitles="//*[has-class('mid_title')]//*[has-class('midtitle_text')]",
        byline="//dl[has-class('author')]//*[has-class('name')]",
        date="//dl[has-class('registration')][contains(., '입력')]/dd",
        body="//div[has-class('news_cnt_detail_wrap')]",
        paragraphs=".//p | .//div[has-class('border_org')]",
        headings=".//div[has-class('border_org')]",
        photos=".//*[has-class('thumb_area')]",
        captions=".//*[has-class('thum_figure_txt')] | .//figcaption",
        source="notes 6.3 (NestJS parser set; fundus); the real pages in ../shared/data/pages",
    ),
    Rule(
        key="mt.co.kr", outlet="머니투데이", hosts=("mt.co.kr",),
        title="//h1[has-class('headline')]",
        byline="//*[has-class('name')][has-class('col1')]//strong",
        date="//*[has-class('col2')]//*[has-class('date')]",
        body="//*[@id='articleView']",
        paragraphs=".//p[not(has-class('ept'))]",
        photos=".//figure", captions=".//figcaption",
        source="notes 6.3 (NestJS parser set)",
    ),
    Rule(
        key="nocutnews.co.kr", outlet="노컷뉴스", hosts=("nocutnews.co.kr",),
        title="//*[has-class('h_info')]//h1",
        subtitles="//h3[has-class('news-h3')]",
        byline="//*[has-class('bl_b')]//li[has-class('email')]//span",
        date="(//*[has-class('bl_b')]//li)[2]",
        body="//*[@id='pnlContent']",
        # Froala editor photo markup: span.fr-img-caption > span.fr-img-wrap > img + span.fr-inner
        photos=".//*[has-class('fr-img-caption')]", captions=".//*[has-class('fr-inner')]",
        source="notes 6.3 (NestJS parser set; text split by <br>)",
    ),
    Rule(
        key="nuri.example", outlet="누리경제", hosts=("nuri.example",),
        path=r"^/nuri/news/\d{4}/\d{2}/\d{2}/\d+$",
        title="//h1[has-class('article_title')]",
        subtitles="//div[has-class('sub_title')]",
        byline="//div[has-class('article_head')]//div[has-class('byline')]",
        date="//div[has-class('article_head')]//div[has-class('byline')]",
        body="//div[@id='article_body']",
        photos=".//table[has-class('photo')]", captions=".//td[has-class('caption')]",
        source="newsrank/demo/layouts.py nuri_article (an economic daily, <br><br> text)",
    ),
    Rule(
        key="ohmynews.com", outlet="오마이뉴스", hosts=("ohmynews.com",),
        body="//*[has-class('at_contents')]",
        source="notes 6.3 (FB)",
    ),
    Rule(
        key="pressian.com", outlet="프레시안", hosts=("pressian.com",),
        body="//div[has-class('article_body')]",
        source="notes 6.3 (FB)",
    ),
    Rule(
        key="sbs.co.kr", outlet="SBS", hosts=("news.sbs.co.kr",),
        title="//h1[@id='news-title']",
        byline="//*[has-class('w_author')]//*[has-class('reporter')]//span[@itemprop='name']",
        date="//*[has-class('date_area')]//meta[@itemprop='datePublished']/@content",
        body="//*[has-class('text_area')][@itemprop='articleBody']",
        photos=".//img[has-class('mainimg')]",
        source="notes 6.3 (NestJS parser set; text split by <br>)",
    ),
    Rule(
        key="segye.com", outlet="세계일보", hosts=("segye.com",),
        title="//h3[@id='title_sns']",
        subtitles="//em[has-class('precis')]",
        byline="//*[@id='SG_CreatorName']",
        date="//*[has-class('viewInfo')]",
        body="//article[has-class('viewBox2')]",
        paragraphs=".//p",
        photos=".//figure[has-class('class_div_main')]", captions=".//figcaption",
        source="notes 6.3 (NestJS parser set)",
    ),
    Rule(
        key="seoul.co.kr", outlet="서울신문", hosts=("seoul.co.kr",),
        title="//h1[has-class('h38')]",
        subtitles="//h2[has-class('stit')]",
        byline="//*[has-class('reporterInfo')]//*[has-class('name')]//a",
        date="//*[has-class('dateInfo')]//*[has-class('writeInfo')]",
        body="//*[has-class('viewContent')]",
        photos=".//figure", captions=".//figcaption[has-class('v_photo_caption')]",
        source="notes 6.3 (NestJS parser set; text split by single <br>)",
    ),
    Rule(
        key="yna.co.kr", outlet="연합뉴스", hosts=("yna.co.kr",),
        title="//h1[has-class('tit01')]",
        subtitles="//*[has-class('tit-sub')]//h2",
        byline="//*[has-class('txt-con')]//*[has-class('tit-name')]//a",
        date="//*[has-class('update-time')]/@data-published-time"
             " | //*[has-class('update-time')]//*[has-class('txt-time01')]",
        body="//div[has-class('story-news')][has-class('article')]",
        paragraphs="./p",
        photos=".//*[has-class('image-zone01')]",
        captions=".//figcaption//*[has-class('txt-desc')] | .//figcaption",
        drop="//div[has-class('story-news')]//aside | //*[has-class('txt-copyright')]",
        source="notes 6.3 (NestJS parser set)",
    ),
    Rule(
        key="yonhapnewstv.co.kr", outlet="연합뉴스TV", hosts=("yonhapnewstv.co.kr",),
        title="//*[has-class('article-inheader')]//h2",
        byline="//*[has-class('reporter-name')]//span",
        body="//*[has-class('article-body-text')]",
        photos=".//*[has-class('yna_caption')]/..", captions=".//*[has-class('yna_caption')]",
        source="notes 6.3 (NestJS parser set; text split by <br>)",
    ),
    Rule(
        key="ytn.co.kr", outlet="YTN", hosts=("ytn.co.kr",),
        title="//h2[has-class('news_title')]//span",
        date="//*[has-class('news_info')]//*[has-class('date')]",
        body="//*[@id='CmAdContent']",
        source="notes 6.3 (NestJS parser set; byline inside the body, text split by <br>)",
    ),
    Rule(
        key="zdnet.co.kr", outlet="지디넷코리아", hosts=("zdnet.co.kr",),
        title="//*[has-class('news_head')]//h1",
        body="//*[@id='articleBody']", paragraphs=".//p",
        photos=".//figure", captions=".//figcaption",
        source="notes 6.3 (VD)",
    ),
    Rule(
        key="~ndsoft", outlet="", path=r"/news/articleView\.html\?(?:[^#]*&)?idxno=\d+",
        title="//*[has-class('article-view-header')]//*[has-class('heading')]"
              " | //h1[has-class('heading')] | //*[@id='article-view']//header//h3",
        subtitles="//*[has-class('article-view-header')]//*[has-class('subheading')]"
                  " | //h2[has-class('subheading')]",
        byline="//*[has-class('info-name')] | //ul[has-class('infomation')]//li[contains(., '기자')]",
        date="//*[has-class('info-group')]//li[contains(., '입력')]"
             " | //ul[has-class('infomation')]//li[contains(., '입력')]",
        body="//*[@id='article-view-content-div']",
        paragraphs=".//p | .//h2 | .//h3 | .//h4 | .//blockquote | .//table",
        photos=".//figure | .//*[has-class('photo-layout')]", captions=".//figcaption",
        drop="//*[has-class('article-copyright')] | //*[has-class('tag-group')]",
        source=f"notes 6.1 {_ND_SOFT}: KadoParser, EdujbParser (2026-01); FB confirms the body "
               "#article-view-content-div (2026-09-27)",
    ),
)
# fmt: on


def rule_for(url: str) -> Rule | None:
    """The rule for an article URL: the longest matching host first, then a path pattern."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    best: tuple[int, Rule] | None = None
    for rule in RULES:
        for name in rule.hosts:
            if (host == name or host.endswith("." + name)) and (not best or len(name) > best[0]):
                best = (len(name), rule)
    if best:
        return best[1]
    return next((rule for rule in RULES if rule.path and _path(rule.path).search(target)), None)


@cache
def _path(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)
