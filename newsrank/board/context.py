"""Template context every page needs: the site name, the menu and the links of every page."""

from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse

from newsrank.sources.sections import SECTIONS


def site(request):
    return {
        "site_name": settings.NEWSRANK_SITE_NAME,
        "menu_sections": SECTIONS,
        **_links(get_script_prefix(), get_urlconf(), settings.STATIC_URL),
    }


@lru_cache(maxsize=16)
def _links(prefix: str, urlconf, static_url: str) -> dict:
    """The URLs in every page's frame, reversed once per process (per URL prefix and URL conf)
    rather than twenty-odd times a page, which was half of rendering the frame (bench/pages.py).
    """
    names = {
        "list": "board:list",
        "search": "board:search",
        "outlets": "board:outlets",
        "issues": "stories:issues",
        "ranking": "stories:ranking",
        "popular": "stories:popular",
        "trending": "stories:trending",
        "feed": "feed",
        "feed_atom": "feed-atom",
        "feed_search": "feed-search",
        "feed_search_atom": "feed-search-atom",
        "api_docs": "api:docs",
    }
    links = {key: reverse(name, urlconf) for key, name in names.items()}
    links["css"] = static("board/board.css")
    menu = [
        (slug, label, reverse("board:section", urlconf, args=[slug])) for slug, label in SECTIONS
    ]
    return {"links": links, "menu": menu}
