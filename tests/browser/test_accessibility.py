"""Accessibility in Chromium: axe-core on every reader page, phone and desktop, and the keyboard.

axe-core (through axe-playwright-python) runs its WCAG 2.x A/AA rules, color-contrast included, on
the pages a reader meets, filled by a crawl of the sample outlets (posts, stories, search index,
trends). The bar is the issue's: no violation of serious or critical impact. Minor and moderate
ones are printed with the figures, so they stay visible without failing the build.
"""

from collections import Counter
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe

from newsrank.board.models import Post
from newsrank.ingest.crawler import crawl_due
from newsrank.sources.services import add_feed
from newsrank.stories.models import Story

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
BLOCKING = {"serious", "critical"}
# The WCAG 2.1 A/AA rules, and axe's best practices (landmarks, one h1, …): those are printed with
# their impact like the others, and fail the test only if serious or critical.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

FOCUS_STYLE = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {tag: el.tagName, id: el.id, cls: el.className, text: (el.textContent || '').trim(),
          name: el.getAttribute('name'), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor,
          row: el.closest('table.list tbody tr') !== null};
}"""


@pytest.fixture
def site(live_server, sample_outlets, allow_loopback, settings):
    """The live site after a crawl of the sample outlets: its pages, keyed by a short name."""
    settings.NEWSRANK_API_RATE_LIMIT = None  # the tests open search more often than a reader
    for feed in sample_outlets.feeds():
        add_feed(feed.url, feed.outlet, feed.section)
    crawl_due()
    story = Story.objects.order_by("-posts_count", "-pk").first()
    assert story is not None and story.posts_count > 1, "the crawl should group some stories"
    post = Post.objects.filter(story=story).order_by("-number").first()
    word = post.title.split()[0]
    return live_server.url, {
        "list": "/",
        "article": post.get_absolute_url(),
        "story": story.get_absolute_url(),
        "ranking": "/ranking",
        "popular": "/popular",
        "trending": "/trending",
        "issues": "/issues",
        "search": f"/search?q={quote(word)}",
        "error": "/no-such-page",
    }


def open_page(browser, viewport: str):
    # The CSP is bypassed for the injected axe script only; our own pages run no script anyway.
    context = browser.new_context(locale="ko-KR", bypass_csp=True, **VIEWPORTS[viewport])
    return context, context.new_page()


def test_no_serious_or_critical_axe_violation_on_any_page_phone_or_desktop(browser, site):
    base, pages = site
    axe = Axe()
    found: dict[tuple[str, str], list[str]] = {}
    figures = []
    for viewport in VIEWPORTS:
        context, page = open_page(browser, viewport)
        try:
            for name, path in pages.items():
                response = page.goto(base + path)
                assert response.status == (404 if name == "error" else 200), (name, path)
                results = axe.run(page, options=AXE_OPTIONS).response
                impacts = Counter(v["impact"] for v in results["violations"])
                figures.append(f"{viewport:8} {name:9} {dict(impacts) or 'none'}")
                blocking = [
                    f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}; first: "
                    f"{v['nodes'][0]['html'][:200]} {v['nodes'][0]['failureSummary'][:300]}"
                    for v in results["violations"]
                    if v["impact"] in BLOCKING
                ]
                headings = page.locator("h1").count()
                if headings != 1:  # one h1 per page names it for screen reader users
                    blocking.append(f"{headings} h1 elements")
                if blocking:
                    found[(viewport, name)] = blocking
        finally:
            context.close()
    print("\naxe violations by impact, per viewport and page:\n" + "\n".join(figures))
    assert found == {}, "\n".join(f"{key}: {problems}" for key, problems in found.items())


def test_text_contrast_meets_wcag_aa_on_every_page(browser, site):
    """color-contrast is among the rules above; named here, so that it is seen to run and pass.

    axe reports text it cannot judge (over an image, say) as "incomplete"; none is allowed either,
    so no text escapes the check.
    """
    base, pages = site
    context, page = open_page(browser, "desktop")
    unjudged = {}
    try:
        for name, path in pages.items():
            page.goto(base + path)
            results = Axe().run(page, options={"runOnly": ["color-contrast"]}).response
            assert [r["id"] for r in results["passes"]] == ["color-contrast"], name
            assert results["violations"] == [], name
            unjudged[name] = [n["html"][:120] for r in results["incomplete"] for n in r["nodes"]]
    finally:
        context.close()
    assert {name: nodes for name, nodes in unjudged.items() if nodes} == {}


def test_tab_reaches_skip_link_then_search_box_then_rows_with_a_visible_focus(browser, site):
    base, pages = site
    for viewport in VIEWPORTS:
        context, page = open_page(browser, viewport)
        try:
            page.goto(base + pages["list"])
            seen = []
            for _ in range(60):
                page.keyboard.press("Tab")
                focus = page.evaluate(FOCUS_STYLE)
                seen.append(focus)
                # A visible focus: a solid outline of at least 2 px, never "none".
                assert focus["outline"] not in ("none", "") and focus["width"] >= 2, focus
                if focus["row"]:
                    break
            assert seen[0]["text"] == "본문 바로가기", viewport
            search = next(i for i, f in enumerate(seen) if f["name"] == "q")
            assert 0 < search < len(seen) - 1, viewport
            assert seen[-1]["row"], f"{viewport}: Tab never reached a board row"
        finally:
            context.close()


def test_board_table_has_a_caption_and_column_headers(browser, live_server, make_posts):
    make_posts(3)
    context, page = open_page(browser, "desktop")
    try:
        page.goto(live_server.url + "/")
        table = page.locator("table.list")
        assert table.locator("caption").inner_text().strip() != ""
        headers = table.locator("thead th")
        assert headers.all_inner_texts() == ["번호", "제목", "글쓴이", "날짜"]
        assert {headers.nth(i).get_attribute("scope") for i in range(4)} == {"col"}
        # The accessible name a screen reader announces for the table is its caption.
        assert page.get_by_role("table", name="게시글 목록").count() == 1
    finally:
        context.close()


def test_the_error_page_is_a_board_page_in_korean_with_a_way_on(browser, live_server, db):
    context, page = open_page(browser, "phone")
    try:
        response = page.goto(live_server.url + "/no-such-page")
        assert response.status == 404
        assert page.locator("html").get_attribute("lang") == "ko"
        assert page.get_by_role("main").get_by_role("heading", level=1).inner_text() == (
            "페이지를 찾을 수 없습니다"
        )
        assert page.get_by_role("searchbox", name="기사 검색").count() == 1
        assert page.get_by_role("link", name="최신 기사 목록").get_attribute("href") == "/"
    finally:
        context.close()
