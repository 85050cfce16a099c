"""How each sample outlet presents its articles: one HTML layout per outlet, plus RSS and Atom.

Each layout imitates the markup family of a kind of Korean news site (wire service, national
daily, economic daily, an ND Soft CMS regional paper, a modern IT blog, a mobile sports site),
wrapped in the noise the extractor has to see past: menus, ads, related lists, "많이 본 뉴스",
copyright footers. The markup is written for this project; no outlet's page was copied.

Everything here is pure: plain data in, `str` out. The server encodes and serves it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape as _escape
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
MENU = ("정치", "경제", "사회", "국제", "문화", "IT·과학", "스포츠", "연예")


@dataclass(frozen=True)
class Link:
    """A titled link, as in related-article and ranking lists."""

    title: str
    href: str


@dataclass(frozen=True)
class Photo:
    """A photo of an article: its path on the server, absolute URL, caption and credit."""

    src: str
    url: str
    caption: str
    credit: str


@dataclass(frozen=True)
class Page:
    """Everything an article layout shows. `body` already holds the outlet's lead tag."""

    outlet: str
    outlet_slug: str
    home: str
    url: str
    id: str
    section: str
    title: str
    subtitles: tuple[str, ...]
    reporter: str
    email: str
    body: tuple[str, ...]
    photos: tuple[Photo, ...]
    published: datetime
    related: tuple[Link, ...] = ()
    popular: tuple[Link, ...] = ()
    charset: str = "utf-8"
    modified: datetime | None = None  # when the outlet last edited the article


def e(text: str) -> str:
    """Escape text for HTML element content and double-quoted attributes.

    Apostrophes stay as they are: Korean copy quotes with them constantly and every attribute
    here is double-quoted.
    """
    return _escape(text, quote=False).replace('"', "&quot;")


def _kst(moment: datetime) -> datetime:
    return moment.astimezone(KST)


# ---------------------------------------------------------------- shared page parts


def _document(page: Page, title: str, body: str, *, head: str = "", body_class: str = "") -> str:
    published = _kst(page.published).isoformat(timespec="seconds")
    lead = page.body[0] if page.body else page.title
    metas = [
        f'<meta charset="{page.charset}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f'<meta name="description" content="{e(lead[:160])}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{e(page.outlet)}">',
        f'<meta property="og:title" content="{e(page.title)}">',
        f'<meta property="og:url" content="{e(page.url)}">',
        f'<meta property="og:description" content="{e(lead[:160])}">',
    ]
    if page.photos:
        metas.append(f'<meta property="og:image" content="{e(page.photos[0].url)}">')
    metas.append(f'<meta property="article:published_time" content="{published}">')
    if page.modified:
        modified = _kst(page.modified).isoformat(timespec="seconds")
        metas.append(f'<meta property="article:modified_time" content="{modified}">')
    metas += [
        f'<meta property="article:section" content="{e(page.section)}">',
        f'<link rel="canonical" href="{e(page.url)}">',
    ]
    if head:
        metas.append(head)
    klass = f' class="{body_class}"' if body_class else ""
    return (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n'
        + "\n".join(metas)
        + f"\n</head>\n<body{klass}>\n{body}\n</body>\n</html>\n"
    )


def _menu(page: Page, ul_class: str) -> str:
    items = "".join(f'<li><a href="{page.home}#{e(label)}">{e(label)}</a></li>' for label in MENU)
    return f'<ul class="{ul_class}">{items}</ul>'


def _link_list(links: Sequence[Link], tag: str = "ul", css: str = "") -> str:
    klass = f' class="{css}"' if css else ""
    items = "".join(f'<li><a href="{e(link.href)}">{e(link.title)}</a></li>' for link in links)
    return f"<{tag}{klass}>{items}</{tag}>"


def _paragraphs(texts: Sequence[str]) -> str:
    return "\n".join(f"<p>{e(text)}</p>" for text in texts)


def _ad(slot: str) -> str:
    return f'<div class="ad" data-ad-slot="{slot}" aria-hidden="true">광고</div>'


# ---------------------------------------------------------------- one layout per outlet


def baram_article(page: Page) -> str:
    """A wire-service page: lead "(서울=바람뉴스) … 기자 =", e-mail and copyright as last lines."""
    stamp = _kst(page.published).strftime("%Y-%m-%d %H:%M")
    photos = "".join(
        '<div class="comp-box photo-group"><figure class="img-con">'
        f'<img src="{e(p.src)}" alt="{e(p.caption)}">'
        f'<figcaption class="desc-con">{e(p.caption)} {e(p.credit)}</figcaption></figure></div>'
        for p in page.photos
    )
    first, rest = (page.body[:1], page.body[1:])
    subtitles = "".join(f'<h2 class="tit-sub">{e(s)}</h2>' for s in page.subtitles)
    body = f"""<div id="skipNav"><a href="#articleWrap">본문 바로가기</a></div>
<header class="header-wrap"><div class="logo"><a href="{page.home}">{e(page.outlet)}</a></div>
<nav class="gnb">{_menu(page, "gnb-list")}</nav></header>
{_ad("top-banner")}
<div class="container" id="articleWrap">
<div class="content01">
<header class="title-article01"><span class="tit-section">{e(page.section)}</span>
<h1 class="tit">{e(page.title)}</h1>
<p class="update-time">송고시간 {stamp}</p></header>
<div class="summary-zone">{subtitles}</div>
<div class="writer-zone"><strong class="tit-name">{e(page.reporter)} 기자</strong>
<span class="mail">{e(page.email)}</span></div>
<div class="story-news article">
{_paragraphs(first)}
{photos}
{_paragraphs(rest)}
<p>{e(page.email)}</p>
<p class="txt-copyright">ⓒ 바람뉴스통신, 무단 전재-재배포, AI 학습 및 활용 금지</p>
</div>
{_ad("article-bottom")}
<section class="related-news"><h2 class="tit-related">관련 뉴스</h2>
{_link_list(page.related, css="list-related")}</section>
</div>
<aside class="aside-box"><h2 class="tit-aside">많이 본 뉴스</h2>
{_link_list(page.popular, "ol", "list-rank")}{_ad("aside")}</aside>
</div>
<footer class="footer-wrap">
<p>{e(page.outlet)} | 서울특별시 종로구 바람로 1 | 대표전화 02-000-0000</p>
<p>Copyright ⓒ Baram News Agency. All rights reserved.</p></footer>"""
    return _document(page, f"{page.title} | {page.outlet}", body)


def garam_article(page: Page) -> str:
    """A national daily: `<article>`, `<h2 class="subtitle">` lines, figures, JSON-LD."""
    stamp = _kst(page.published).strftime("%Y.%m.%d %H:%M")
    published = _kst(page.published).isoformat(timespec="seconds")
    figures = "".join(
        f'<figure><img src="{e(p.src)}" alt="{e(p.caption)}">'
        f"<figcaption>{e(p.caption)} {e(p.credit)}</figcaption></figure>\n"
        for p in page.photos
    )
    subtitles = "".join(f'<h2 class="subtitle">{e(s)}</h2>\n' for s in page.subtitles)
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "datePublished": published,
        "author": {"@type": "Person", "name": page.reporter, "email": page.email},
        "publisher": {"@type": "Organization", "name": page.outlet},
        "mainEntityOfPage": page.url,
    }
    if page.photos:
        ld["image"] = [p.url for p in page.photos]
    # "</" inside a script element would end it early; JSON allows the escaped slash.
    ld_json = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    body = f"""<a class="skip" href="#container">본문 바로가기</a>
<header id="header"><div class="logo"><a href="{page.home}">{e(page.outlet)}</a></div>
<nav id="gnb">{_menu(page, "menu")}</nav>
<form class="search" action="{page.home}"><input name="q" placeholder="검색어 입력"></form></header>
<div id="container">{_ad("top")}
<main class="main">
<article class="news_article">
<header><p class="section">{e(page.section)}</p>
<h1 class="headline">{e(page.title)}</h1>
{subtitles}<div class="byline"><span class="name">{e(page.reporter)} 기자</span>
<a class="email" href="mailto:{e(page.email)}">{e(page.email)}</a>
<time datetime="{published}">입력 {stamp}</time></div></header>
<div class="article_body" itemprop="articleBody">
{figures}{_paragraphs(page.body)}
</div>
<div class="share"><button type="button">공유</button><button type="button">스크랩</button></div>
</article>
<section class="related"><h3>이 기사와 관련된 기사</h3>{_link_list(page.related)}</section>
</main>
<aside class="right"><div class="ranking"><h3>많이 본 뉴스</h3>
{_link_list(page.popular, "ol")}</div>{_ad("right")}</aside>
</div>
<footer id="footer"><p>{e(page.outlet)} | 서울특별시 중구 가람대로 12 | 등록번호 서울 가00000</p>
<p>Copyright ⓒ {e(page.outlet)}. All rights reserved. 무단 전재 및 재배포 금지.</p></footer>
<script type="application/ld+json">{ld_json}</script>"""
    return _document(page, f"{page.title} - {page.outlet}", body)


def nuri_article(page: Page) -> str:
    """An economic daily: text with `<br><br>` between paragraphs, photo tables, promo lines."""
    stamp = _kst(page.published).strftime("%Y-%m-%d %H:%M:%S")
    photos = "".join(
        f'<table class="photo"><tr><td><img src="{e(p.src)}" alt=""></td></tr>'
        f'<tr><td class="caption">{e(p.caption)} {e(p.credit)}</td></tr></table>'
        for p in page.photos
    )
    related = page.related[:2] or (Link(f"{page.outlet} 최신 뉴스", page.home),)
    related_lines = "<br>".join(f'<a href="{e(r.href)}">{e(r.title)}</a>' for r in related)
    text = "<br><br>".join(e(paragraph) for paragraph in page.body)
    body = f"""<div id="wrap"><div id="top_banner">{_ad("top")}</div>
<header id="header"><h1 class="logo"><a href="{page.home}">{e(page.outlet)}</a></h1>
{_menu(page, "gnb")}</header>
<div id="content">
<div class="article_head"><span class="cate">{e(page.section)}</span>
<h1 class="article_title">{e(page.title)}</h1>
<div class="byline">{e(page.reporter)} 기자 <a href="mailto:{e(page.email)}">{e(page.email)}</a>
| 입력 {stamp}</div></div>
<div class="sub_title">{"<br>".join(e(s) for s in page.subtitles)}</div>
<div id="article_body" class="article_body">
{photos}{text}<br><br>
▶ 관련기사<br>{related_lines}<br><br>
☞ <a href="{page.home}">누리경제 구독하기</a><br><br>
{e(page.reporter)} 기자 {e(page.email)}
</div>
<div class="copyright">저작권자 ⓒ {e(page.outlet)}, 무단 전재 및 재배포 금지</div>
{_ad("bottom")}
<div class="popular"><h4>많이 본 뉴스</h4>{_link_list(page.popular, "ol")}</div>
</div>
<div id="footer">{e(page.outlet)} | 서울특별시 영등포구 누리로 7 | ⓒ Nuri Economy</div></div>"""
    return _document(page, f"{page.title} :: {page.outlet}", body)


def saebyeok_article(page: Page) -> str:
    """A regional paper on the ND Soft CMS: `#article-view-content-div`, `figure.photo-layout`."""
    stamp = _kst(page.published).strftime("%Y.%m.%d %H:%M")
    figures = "".join(
        '<figure class="photo-layout image photo-center">'
        f'<img src="{e(p.src)}" alt="{e(p.caption)}">'
        f"<figcaption>{e(p.caption)} {e(p.credit)}</figcaption></figure>\n"
        for p in page.photos
    )
    subtitles = "".join(f'<h4 class="subheading">{e(s)}</h4>' for s in page.subtitles)
    body = f"""<div id="skip-navi"><a href="#user-container">본문 바로가기</a></div>
<header class="user-header"><div class="logo"><a href="{page.home}">{e(page.outlet)}</a></div>
<nav class="nav-menu">{_menu(page, "sub-menu")}</nav></header>
<div id="user-container"><div class="float-center max-width-1080">
<section class="user-content">
<header class="article-view-header">
<div class="article-header-wrap"><p class="section">{e(page.section)}</p>
<h3 class="heading">{e(page.title)}</h3>{subtitles}
<ul class="infomation"><li><i class="icon-user"></i>{e(page.reporter)} 기자</li>
<li><i class="icon-clock-o"></i>입력 {stamp}</li></ul></div></header>
{_ad("view-top")}
<article id="article-view-content-div" class="article-veiw-body view-page font-size17"
 itemprop="articleBody">
{figures}{_paragraphs(page.body)}
</article>
<article class="writer"><div class="profile"><strong class="name">{e(page.reporter)} 기자</strong>
<em class="email">{e(page.email)}</em></div></article>
<div class="view-copyright">저작권자 ⓒ {e(page.outlet)} 무단전재 및 재배포 금지</div>
<section class="auto-article"><header><h2>관련기사</h2></header>{_link_list(page.related)}</section>
</section>
<aside class="aside"><section class="auto-rank"><h2>많이 본 뉴스</h2>
{_link_list(page.popular, "ol")}</section>{_ad("aside")}</aside>
</div></div>
<footer class="user-footer">
<p>{e(page.outlet)} | 충청남도 새벽시 새벽로 3 | 청소년보호책임자 홍길동</p>
<p>Copyright ⓒ {e(page.outlet)}. All rights reserved.</p></footer>"""
    return _document(page, f"{page.title} - {page.outlet}", body)


def dain_article(page: Page) -> str:
    """A modern IT site: `<main>`, `article.post`, a lede under the headline."""
    moment = _kst(page.published)
    stamp = f"{moment.year}년 {moment.month}월 {moment.day}일 {moment:%H:%M}"
    lead, *more = page.photos or (None,)
    hero = (
        f'<figure class="post-image"><img src="{e(lead.src)}" alt="{e(lead.caption)}" '
        f'loading="lazy"><figcaption>{e(lead.caption)} {e(lead.credit)}</figcaption></figure>'
        if lead
        else ""
    )
    inline = "".join(
        f'<figure class="kg-image-card"><img src="{e(p.src)}" alt="{e(p.caption)}">'
        f"<figcaption>{e(p.caption)} {e(p.credit)}</figcaption></figure>"
        for p in more
    )
    lines = "<br>".join(e(s) for s in page.subtitles)
    lede = f'<p class="lede">{lines}</p>' if lines else ""
    body = f"""<a class="skip-link" href="#main">본문 바로가기</a>
<header class="site-header"><a class="site-logo" href="{page.home}">{e(page.outlet)}</a>
<nav class="site-nav">{_menu(page, "nav")}</nav>
<button class="menu-toggle" type="button" aria-label="메뉴 열기">메뉴</button></header>
<main id="main" class="site-main">
<article class="post">
<header class="post-header"><a class="post-tag" href="{page.home}">{e(page.section)}</a>
<h1 class="post-title">{e(page.title)}</h1>
{lede}
<div class="post-meta"><address class="author"><a rel="author" href="mailto:{e(page.email)}">
{e(page.reporter)} 기자</a> · {e(page.email)}</address>
<time datetime="{moment.isoformat(timespec="seconds")}">{stamp}</time></div></header>
{hero}
<div class="post-content">
{_paragraphs(page.body)}
{inline}
</div>
<footer class="post-footer"><div class="newsletter">매주 화요일, 다인IT 뉴스레터를 받아보세요.
<a href="{page.home}">구독하기</a></div></footer>
</article>
<section class="read-next"><h2>함께 읽으면 좋은 기사</h2>{_link_list(page.related)}</section>
<aside class="trending"><h2>많이 본 뉴스</h2>{_link_list(page.popular, "ol")}</aside>
</main>
<footer class="site-footer"><p>© {moment.year} {e(page.outlet)}. All rights reserved.</p>
<p>제보 tips@dain.example</p></footer>"""
    return _document(page, f"{page.title} | {page.outlet}", body, body_class="post-template")


def byeol_article(page: Page) -> str:
    """A mobile sports/entertainment site: `div.img_box` photos, a short-form header."""
    moment = _kst(page.published)
    half = "오전" if moment.hour < 12 else "오후"
    stamp = f"{moment:%Y.%m.%d} {half} {(moment.hour - 1) % 12 + 1}:{moment:%M}"
    photos = "".join(
        f'<div class="img_box"><img src="{e(p.src)}" alt="{e(p.caption)}">'
        f'<p class="img_caption">{e(p.caption)} {e(p.credit)}</p></div>\n'
        for p in page.photos
    )
    summary = "".join(f"<p>- {e(s)}</p>" for s in page.subtitles)
    body = f"""<div id="m_header"><h1 class="logo"><a href="{page.home}">{e(page.outlet)}</a></h1>
<button class="btn_menu" type="button">전체메뉴</button></div>
<nav class="m_gnb">{_menu(page, "gnb_list")}</nav>
{_ad("m-top")}
<div id="m_content">
<div class="news_head"><span class="cate">{e(page.section)}</span>
<h2 class="news_title">{e(page.title)}</h2>
<div class="news_summary">{summary}</div>
<div class="news_info"><span class="writer">{e(page.reporter)} 기자</span>
<span class="mail">{e(page.email)}</span><span class="date">입력 {stamp}</span></div></div>
<div class="news_body" id="newsEndContents">
{photos}{_paragraphs(page.body)}
<p class="copyright">[{e(page.outlet)} {e(page.reporter)} 기자]
ⓒ {e(page.outlet)} 무단전재·재배포 금지</p>
</div>
{_ad("m-middle")}
<div class="news_more"><h3>관련 기사</h3>{_link_list(page.related)}</div>
<div class="ranking"><h3>많이 본 뉴스</h3>{_link_list(page.popular, "ol")}</div>
</div>
<div id="m_footer"><a href="{page.home}">PC버전</a> | <a href="{page.home}">앱 설치</a>
<p>Copyright ⓒ {e(page.outlet)}. All rights reserved.</p></div>"""
    return _document(page, f"{page.title} - {page.outlet}", body, body_class="m")


ARTICLE_LAYOUTS: dict[str, Callable[[Page], str]] = {
    "baram": baram_article,
    "byeol": byeol_article,
    "dain": dain_article,
    "garam": garam_article,
    "nuri": nuri_article,
    "saebyeok": saebyeok_article,
}


# ---------------------------------------------------------------- other pages


def _plain_page(title: str, body: str, *, charset: str = "utf-8", head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="{charset}">\n'
        f"<title>{e(title)}</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def home_page(
    outlet: str,
    description: str,
    feeds: Sequence[tuple[Link, str]],
    articles: Sequence[Link],
    *,
    charset: str = "utf-8",
) -> str:
    """An outlet's front page: its feeds (also as autodiscovery links) and newest articles."""
    head = "".join(
        f'<link rel="alternate" type="{mime}" title="{e(link.title)}" href="{e(link.href)}">\n'
        for link, mime in feeds
    )
    body = (
        f"<header><h1>{e(outlet)}</h1><p>{e(description)}</p></header>\n"
        f"<main><h2>최신 기사</h2>{_link_list(articles)}</main>\n"
        f"<aside><h2>RSS</h2>{_link_list([link for link, _ in feeds])}</aside>\n"
        f"<footer>Copyright ⓒ {e(outlet)}. All rights reserved.</footer>"
    )
    return _plain_page(outlet, body, charset=charset, head=head)


def not_found_page(path: str) -> str:
    """The 404 page."""
    body = f"<h1>페이지를 찾을 수 없습니다</h1><p>{e(path)} 주소에 해당하는 페이지가 없습니다.</p>"
    return _plain_page("404 Not Found", body)


def trouble_page(page: Page, *, extra: str = "") -> str:
    """A plain article page for the /_trouble/ cases; `extra` is inserted raw into the body."""
    body = (
        f"<article><h1>{e(page.title)}</h1>"
        f'<p class="byline">{e(page.reporter)} 기자 {e(page.email)}</p>\n'
        f"{_paragraphs(page.body)}\n{extra}</article>"
    )
    return _document(page, page.title, body)


# ---------------------------------------------------------------- feeds


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed.

    `published` may be a string, written as it is (the broken dates of /_trouble/), or None for
    no date at all; `updated` is the time of the outlet's last edit, if it says.
    """

    title: str
    url: str
    guid: str
    published: datetime | str | None
    category: str
    summary: str
    author: str
    email: str
    updated: datetime | None = None


@dataclass(frozen=True)
class Feed:
    """A feed document: channel data and its items, newest first."""

    title: str
    home: str
    url: str
    description: str
    updated: datetime
    items: tuple[FeedItem, ...]


def _x(text: str) -> str:
    # Element text and double-quoted attribute values; &, <, > and " cover both in XML 1.0.
    return e(text)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside a CDATA section; split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rss_feed(
    feed: Feed,
    *,
    encoding: str = "utf-8",
    dc_creator: bool = False,
    cdata: bool = False,
    guid_is_link: bool = True,
) -> str:
    """RSS 2.0. Dates are RFC 822 in KST (+0900), as Korean outlets publish them."""
    wrap = _cdata if cdata else _x
    items = []
    for item in feed.items:
        guid = (
            f'<guid isPermaLink="true">{_x(item.url)}</guid>'
            if guid_is_link
            else f'<guid isPermaLink="false">{_x(item.guid)}</guid>'
        )
        # RSS 2.0 <author> must be an e-mail address; outlets that want a bare name use dc:creator.
        author = (
            f"<dc:creator>{_x(item.author)}</dc:creator>"
            if dc_creator
            else f"<author>{_x(item.email)} ({_x(item.author)})</author>"
        )
        if isinstance(item.published, datetime):
            date = f"<pubDate>{format_datetime(_kst(item.published))}</pubDate>"
        else:
            date = f"<pubDate>{_x(item.published)}</pubDate>" if item.published else ""
        if item.updated:
            # RSS 2.0 has no edit time; Atom's <updated> in the atom namespace is how feeds add one.
            stamp = _kst(item.updated).isoformat(timespec="seconds")
            date += f"<atom:updated>{stamp}</atom:updated>"
        items.append(
            f"<item><title>{wrap(item.title)}</title><link>{_x(item.url)}</link>{guid}{date}"
            f"<category>{_x(item.category)}</category>"
            f"<description>{wrap(item.summary)}</description>{author}</item>"
        )
    joined = "\n".join(items)
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
        f"<title>{_x(feed.title)}</title>\n<link>{_x(feed.home)}</link>\n"
        f'<atom:link href="{_x(feed.url)}" rel="self" type="application/rss+xml"/>\n'
        f"<description>{_x(feed.description)}</description>\n<language>ko</language>\n"
        f"<lastBuildDate>{format_datetime(_kst(feed.updated))}</lastBuildDate>\n"
        f"{joined}\n</channel>\n</rss>\n"
    )


def atom_feed(feed: Feed, *, tag_domain: str | None = None) -> str:
    """Atom (RFC 4287). Entry ids are tag: URIs when `tag_domain` is given, else the link."""
    entries = []
    for item in feed.items:
        if not isinstance(item.published, datetime):
            raise TypeError("atom_feed needs a datetime for every item's published time")
        stamp = _kst(item.published).isoformat(timespec="seconds")
        updated = _kst(item.updated).isoformat(timespec="seconds") if item.updated else stamp
        entry_id = (
            f"tag:{tag_domain},{_kst(item.published).year}:{item.guid}" if tag_domain else item.url
        )
        entries.append(
            f"<entry><id>{_x(entry_id)}</id><title>{_x(item.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_x(item.url)}"/>'
            f"<published>{stamp}</published><updated>{updated}</updated>"
            f"<author><name>{_x(item.author)}</name><email>{_x(item.email)}</email></author>"
            f'<category term="{_x(item.category)}"/>'
            f'<summary type="text">{_x(item.summary)}</summary></entry>'
        )
    joined = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ko">\n'
        f"<id>{_x(feed.url)}</id>\n<title>{_x(feed.title)}</title>\n"
        f"<subtitle>{_x(feed.description)}</subtitle>\n"
        f"<updated>{_kst(feed.updated).isoformat(timespec='seconds')}</updated>\n"
        f'<link rel="alternate" type="text/html" href="{_x(feed.home)}"/>\n'
        f'<link rel="self" type="application/atom+xml" href="{_x(feed.url)}"/>\n'
        f"{joined}\n</feed>\n"
    )


# Google News sitemap namespace and rules:
# https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
NEWS_SITEMAP_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def news_sitemap(publication: str, items: Sequence[FeedItem], *, language: str = "ko") -> str:
    """A Google News sitemap: a `<url>` per article with `<news:news>`, dates in KST (+09:00)."""
    urls = []
    for item in items:
        if not isinstance(item.published, datetime):
            raise TypeError("news_sitemap needs a datetime for every item's published time")
        stamp = _kst(item.published).isoformat(timespec="seconds")
        lastmod = _kst(item.updated or item.published).isoformat(timespec="seconds")
        urls.append(
            f"<url><loc>{_x(item.url)}</loc><lastmod>{lastmod}</lastmod>"
            f"<news:news><news:publication><news:name>{_x(publication)}</news:name>"
            f"<news:language>{_x(language)}</news:language></news:publication>"
            f"<news:publication_date>{stamp}</news:publication_date>"
            f"<news:title>{_x(item.title)}</news:title></news:news></url>"
        )
    joined = "\n".join(urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="{NEWS_SITEMAP_NS}">\n{joined}\n</urlset>\n'
    )
