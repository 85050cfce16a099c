"""Hostile outlet content, crawled and then shown in Chromium: no injected script runs, pages stay usable.

The outlet is newsrank/demo/hostile.py (악성일보). Its payloads set `window.__pwned` and the
document title, or open a dialog; the pages are opened with the Content-Security-Policy bypassed,
so what is tested is the sanitizer and the templates' escaping alone, not the CSP behind them.
A last test opens them with the CSP on and expects no violation: our own pages need no inline
script or style.
"""

import json
import re

import feedparser
import pytest

from newsrank.board.models import Post
from newsrank.demo import hostile
from newsrank.ingest.crawler import crawl_due
from newsrank.sources.services import add_feed

# Every attribute or element that could run script or restyle the page, found in the live DOM.
FIND_DANGER = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
      if (/^(href|src|action|formaction|data|srcdoc|xlink:href)$/i.test(a.name)
          && /^\\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(`${el.tagName} ${a.name}`);
    }
  }
  const main = 'main script, main iframe, main object, main embed, main style, main svg, '
    + 'main [style], main base, main meta, main link, main form[action^="http"], main input[type=password]';
  for (const el of document.querySelectorAll(main)) bad.push(`element ${el.tagName}`);
  for (const el of document.querySelectorAll('script:not([src]):not([type="application/ld+json"])'))
    bad.push('inline script');
  return bad;
}"""

# Whether the element shown at the centre of `el` is `el` or inside it: nothing covers it.
ON_TOP = """el => {
  el.scrollIntoView({block: 'center'});
  const box = el.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + Math.min(box.width, 40) / 2, box.top + box.height / 2);
  return hit !== null && (hit === el || el.contains(hit));
}"""


@pytest.fixture
def hostile_site(live_server, sample_outlets, allow_loopback, settings):
    """The live site after one crawl of the hostile outlet (and nothing else)."""
    settings.NEWSRANK_API_RATE_LIMIT = None  # this test opens the API more often than a reader
    add_feed(sample_outlets.base_url + hostile.FEED_PATH, hostile.OUTLET, "사회")
    crawl_due()
    posts = list(Post.objects.order_by("-number"))
    assert len(posts) == len(hostile.cases())
    return live_server.url, posts


@pytest.fixture
def admin_user(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("editor", "editor@example.com", "correct horse 42")


class Watch:
    """A browser context with the CSP bypassed that records any sign of injected script."""

    def __init__(self, browser, *, bypass_csp=True):
        self.context = browser.new_context(
            locale="ko-KR", viewport={"width": 1280, "height": 900}, bypass_csp=bypass_csp
        )
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.fetched: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.fetched.append(r.url))
        self.page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def open(self, url: str, *, content=True) -> None:
        """Open `url` and assert nothing ran; `content`: the page shows posts (not the admin)."""
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        where = f"on {url}"
        assert self.page.evaluate("window.__pwned") is None, where
        assert not self.page.title().startswith("PWNED"), where
        assert self.dialogs == [], where
        assert self.errors == [], where
        assert self.page.url.startswith(url.split("?")[0].rsplit("/", 1)[0]), where  # no redirect
        if content:
            assert self.page.evaluate(FIND_DANGER) == [], where
        # The hostile outlet's script and style files are never requested (its SVG as <img> may be).
        assert not [u for u in self.fetched if re.search(r"evil\.(js|css)|evil\.example", u)]

    def close(self):
        self.context.close()


def test_no_injected_script_runs_on_any_page_that_shows_hostile_posts(browser, hostile_site):
    base, posts = hostile_site
    watch = Watch(browser)
    try:
        pages = ["/", "/?page=2", "/board/society", "/issues", "/ranking", "/trending", "/outlets"]
        pages += [f"/outlet/{posts[0].outlet_id}", "/popular"]
        for post in posts:
            pages.append(f"/{post.number}")
        pages += sorted({f"/story/{p.story_id}" for p in posts if p.story_id})
        for term in (
            "스크립트",
            "SVG",
            "사기",
            "제로폭",
            "script",
            "pwned",
            "<script>",
            "주민센터",
        ):
            pages.append(f"/search?q={term}")
        pages += ["/api/posts", "/api/stories", "/api/search?q=스크립트", "/api/trending"]
        pages += [f"/api/posts/{p.number}" for p in posts]
        for path in pages:
            watch.open(base + path)
        assert len(pages) >= 60
    finally:
        watch.close()


def test_hostile_titles_are_plain_text_everywhere(browser, hostile_site):
    base, posts = hostile_site
    titles = [p.title for p in posts]
    assert all("\u202e" not in t and "\u200b" not in t and "__pwned" not in t for t in titles)
    assert max(len(t) for t in titles) <= 500  # the 1 MB title is cut
    # The crawl drops markup from titles; a title that is markup as text (as an operator may
    # type it) must stay text in <title>, og:title, JSON-LD, the list, the story and the API.
    text = f"</script><script>{hostile.js('ld')}</script><b>굵게</b> 글자로 된 태그"
    Post.objects.filter(pk=posts[0].pk).update(title=text)
    posts = list(Post.objects.order_by("-number"))
    watch = Watch(browser)
    try:
        watch.open(f"{base}/api/posts")
        data = json.loads(watch.page.locator("body").inner_text())
        assert {r["title"] for r in data["results"]} <= {p.title for p in posts}
        for post in posts:
            watch.open(f"{base}/{post.number}")
            assert watch.page.locator("h1").inner_text() == post.title
        watch.open(f"{base}/{posts[0].number}")
        assert text in watch.page.title()
        ld = watch.page.locator('script[type="application/ld+json"]')
        if ld.count():
            assert json.loads(ld.first.text_content())["headline"] == text
        for path in ("/", f"/story/{posts[0].story_id}", f"/api/posts/{posts[0].number}"):
            watch.open(base + path)
            assert watch.page.get_by_text(text).count() >= 1, path
    finally:
        watch.close()


def test_board_feed_carries_only_sanitized_html(browser, hostile_site):
    base, posts = hostile_site
    watch = Watch(browser)
    try:
        response = watch.page.request.get(f"{base}/feed/")
        assert response.ok
        feed = feedparser.parse(response.body())
        assert not feed.bozo, feed.get("bozo_exception")
        assert len(feed.entries) >= 20
        for entry in feed.entries:
            shown = entry.get("summary", "") + entry.title
            assert not re.search(r"<script|<svg|<style|\son\w+=|javascript:|data:", shown, re.I)
    finally:
        watch.close()


def test_pages_with_hostile_posts_stay_usable(browser, hostile_site):
    base, posts = hostile_site
    watch = Watch(browser)
    page = watch.page
    try:
        watch.open(base + "/")
        links = page.locator("table.list tbody td.subject a:not(.more)")
        assert links.count() == 20
        for index in range(20):
            link = links.nth(index)
            assert link.is_visible()
            assert link.evaluate(ON_TOP), f"row {index + 1} is covered"
        # The article whose CSS tried to hide the page and cover it with a fake login box.
        page.get_by_role("link", name="화면을 덮는 CSS가 든 기사").click()
        page.wait_for_url(re.compile(r"/\d+(\?|$)"))
        heading = page.locator("h1")
        assert heading.inner_text() == "화면을 덮는 CSS가 든 기사"
        assert heading.is_visible() and heading.evaluate(ON_TOP)
        assert page.locator("#q").evaluate(ON_TOP)  # the search box is not covered either
        assert page.get_by_text("가짜 로그인 창").count() == 0
        assert page.locator("a.skip").get_attribute("href") == "#content"
        assert page.locator("#content").evaluate("el => el.tagName") == "MAIN"  # id not stolen
        for post in posts:
            watch.open(f"{base}/{post.number}")
            assert page.locator("h1").evaluate(ON_TOP), f"post {post.number}'s headline is covered"
            assert page.evaluate("document.body.scrollWidth <= window.innerWidth + 1")
            href = page.get_by_role("link", name="원문 보기").get_attribute("href")
            assert href.startswith("http://127.0.0.1:") and "/_hostile/" in href
    finally:
        watch.close()


def test_csp_reports_no_violation_on_our_pages(browser, hostile_site):
    base, posts = hostile_site
    watch = Watch(browser, bypass_csp=False)
    try:
        for path in ["/", "/issues", "/search?q=스크립트", *(f"/{p.number}" for p in posts)]:
            watch.open(base + path)
            assert watch.page.evaluate("window.__violations") == [], path
    finally:
        watch.close()


def test_admin_works_under_the_csp(browser, live_server, admin_user):
    # Django's admin ships no inline script or style (5.2); this keeps it so under our policy.
    watch = Watch(browser, bypass_csp=False)
    page = watch.page
    try:
        watch.open(live_server.url + "/admin/login/", content=False)
        page.fill("#id_username", "editor")
        page.fill("#id_password", "correct horse 42")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        for path in ("/admin/", "/admin/sources/feed/", "/admin/sources/feed/add/"):
            watch.open(live_server.url + path, content=False)
            assert page.evaluate("window.__violations") == [], path
        assert page.locator("#user-tools").is_visible()
    finally:
        watch.close()
