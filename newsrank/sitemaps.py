"""sitemap.xml (an index of sitemaps) and a Google News sitemap of the last 48 hours.

Built on django.contrib.sitemaps. A year is over 10 million posts, so no sitemap counts or sorts
the posts table: pages are ranges of post numbers (page n holds numbers [low + (n-1)·size,
low + n·size)), found with the lowest and highest number, two primary-key lookups. A range whose
posts are hidden lists fewer URLs; sitemaps allow that. Protocols:
https://www.sitemaps.org/protocol.html and https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap
"""

from __future__ import annotations

import math
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from newsrank.board.feeds import xml_text
from newsrank.board.models import Post
from newsrank.sources.models import Outlet
from newsrank.sources.sections import SECTIONS
from newsrank.stories.models import Story

NEWS_WINDOW = timedelta(hours=48)  # Google News reads articles of the last two days only


class RangePage:
    def __init__(self, object_list):
        self.object_list = object_list


class RangePaginator:
    """Pages of a queryset by ranges of an increasing integer key, without counting rows."""

    def __init__(self, queryset, key: str, size: int, low: int | None, high: int | None):
        self.queryset, self.key, self.size = queryset, key, size
        self.low, self.high = low, high

    @property
    def num_pages(self) -> int:
        if self.low is None or self.high is None or self.high < self.low:
            return 1
        return math.ceil((self.high - self.low + 1) / self.size)

    def page(self, number) -> RangePage:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("page is not a whole number") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("no such page")
        if self.low is None:
            return RangePage([])
        start = self.low + (number - 1) * self.size
        rows = self.queryset.filter(
            **{f"{self.key}__gte": start, f"{self.key}__lt": start + self.size}
        ).order_by(self.key)
        return RangePage(list(rows))


class RangeSitemap(Sitemap):
    """A sitemap paginated by key ranges; subclasses give the queryset and the bounds."""

    limit = 5_000  # URLs a page (the protocol allows 50,000; smaller pages render fast)
    key = "pk"
    url_name = ""  # the page of one row, whose only argument is the row's key

    @cached_property
    def prefix(self) -> str:
        # One reverse() for the page, not one a row (they cost ~0.35 ms each).
        return reverse(self.url_name, args=[0]).removesuffix("0")

    def location(self, row):
        return f"{self.prefix}{row.pk}"

    def rows(self):
        raise NotImplementedError

    def bounds(self) -> tuple[int | None, int | None]:
        keys = self.rows().model.objects.order_by(self.key).values_list(self.key, flat=True)
        return keys.first(), keys.last()

    @cached_property
    def paginator(self):
        low, high = self.bounds()
        return RangePaginator(self.rows(), self.key, self.limit, low, high)

    def items(self):
        # Only for Django's default paths; every page is read through the paginator.
        return self.paginator.page(1).object_list

    def get_latest_lastmod(self):
        # Django's default reads every item; an old page's rows can change, so say nothing.
        return None


class PostSitemap(RangeSitemap):
    key = "number"
    url_name = "board:post"
    changefreq = "weekly"

    def rows(self):
        return Post.objects.visible().only("number", "updated_at")

    def lastmod(self, post):
        return post.updated_at


class StorySitemap(RangeSitemap):
    url_name = "stories:story"
    changefreq = "hourly"

    def rows(self):
        return Story.objects.live().only("pk", "newest_at")

    def lastmod(self, story):
        return story.newest_at


class PagesSitemap(Sitemap):
    """The board, its sections, the outlets' boards and the story pages."""

    changefreq = "always"

    def items(self):
        named = ["board:list", "stories:issues", "stories:ranking", "stories:popular"]
        named += ["stories:trending", "board:outlets"]
        paths = [reverse(name) for name in named]
        paths += [reverse("board:section", args=[slug]) for slug, _ in SECTIONS]
        outlets = Outlet.objects.filter(blocked=False).order_by("pk").values_list("pk", flat=True)
        paths += [reverse("board:outlet", args=[pk]) for pk in outlets]
        return paths

    def location(self, path):
        return path


class NewsSitemap(PostSitemap):
    """The posts published in the last 48 hours, 1,000 a page as Google News asks."""

    limit = 1_000
    changefreq = None

    def rows(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Post.objects.visible()
            .filter(Q(published_at__gte=since) | Q(published_at__isnull=True))
            .select_related("outlet")
            .only("number", "updated_at", "created_at", "title", "published_at", "outlet__name")
        )

    def bounds(self):
        numbers = Post.objects.order_by("number").values_list("number", flat=True)
        return Post.objects.first_stored_since(timezone.now() - NEWS_WINDOW), numbers.last()


SITEMAPS = {
    "pages": PagesSitemap,
    "stories": StorySitemap,
    "posts": PostSitemap,
    "news": NewsSitemap,
}

URLSET = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")


@sitemap_views.x_robots_tag
def sitemap_section(request, section: str):
    """One page of one section. Post, story and news pages are written without the template
    engine, which spends about half a millisecond a URL: 2.5 s for a page of 5,000 URLs."""
    if section not in SITEMAPS:
        raise Http404("no such sitemap")
    if section == "pages":
        return sitemap_views.sitemap(request, SITEMAPS, section=section)
    sitemap = SITEMAPS[section]()
    try:
        urls = sitemap.get_urls(
            page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme
        )
    except (EmptyPage, PageNotAnInteger):
        raise Http404("no such sitemap page") from None
    if section == "news":
        body = write_news_urlset(urls, settings.NEWSRANK_SITE_NAME)
    else:
        body = write_urlset(urls)
    return HttpResponse(body, content_type="application/xml")


def _w3c(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def write_urlset(urls: list[dict]) -> str:
    out = [URLSET, ">\n"]
    for url in urls:
        out.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            out.append(f"<lastmod>{_w3c(url['lastmod'])}</lastmod>")
        if url["changefreq"]:
            out.append(f"<changefreq>{url['changefreq']}</changefreq>")
        out.append("</url>\n")
    out.append("</urlset>\n")
    return "".join(out)


def write_news_urlset(urls: list[dict], publication: str) -> str:
    """Google's news sitemap: each URL with its publication, language, date and title."""
    name = escape(xml_text(publication))
    out = [URLSET, NEWS_NS, ">\n"]
    for url in urls:
        post = url["item"]
        title = escape(xml_text(f"[{post.outlet.name}] {post.title}"))
        out.append(
            f"<url><loc>{escape(url['location'])}</loc><news:news><news:publication>"
            f"<news:name>{name}</news:name><news:language>ko</news:language></news:publication>"
            f"<news:publication_date>{_w3c(post.when)}</news:publication_date>"
            f"<news:title>{title}</news:title></news:news></url>\n"
        )
    out.append("</urlset>\n")
    return "".join(out)


def robots_txt(request):
    """robots.txt: everything may be crawled but search results; where the sitemaps are.

    Search result pages are endless combinations of words (and say `noindex` themselves). The
    admin is not named: its path is the operator's secret (NEWSRANK_ADMIN_PATH).
    """
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /search", "Disallow: /feed/search/", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
