"""The JSON API: posts newest first, one post, crawl health; errors are JSON with a status code.

`healthz` is not part of it: a plain-text probe for load balancers, served at /healthz.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from newsrank.board import lists
from newsrank.board.models import Post
from newsrank.search import backends
from newsrank.search.forms import query_from
from newsrank.sources.services import crawl_health
from newsrank.stories import readers, trends
from newsrank.stories.models import Story

log = logging.getLogger(__name__)


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"status": status, "message": message}}, status=status)


def json_errors(view):
    """Answer an unexpected failure with a JSON 500 rather than the HTML error page."""

    @csrf_exempt  # a read-only API with no cookies to protect; a refused write gets a JSON 405
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            refused = error(405, "only GET is supported")
            refused["Allow"] = "GET, HEAD"  # RFC 9110 §15.5.6
            return refused
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            raise  # the database is down: newsrank/errors.py answers 503, not 500
        except Exception:
            log.exception("API error on %s", request.path)
            return error(500, "internal error")

    return wrapper


def post_summary(request, post: Post) -> dict:
    return {
        "number": post.number,
        "title": post.title,
        "outlet": post.outlet.name,
        "section": post.section or None,
        "published_at": post.when.isoformat(),
        "url": post.url,
        "link": request.build_absolute_uri(post.get_absolute_url()),
        "story": post.story_id,
    }


# The board's bound on a page number, which any JSON client reads exactly (below 2**53).
BAD_PAGE = f"page must be a whole number from 1 to {lists.MAX_PAGE}"


def _page_number(request) -> int | None:
    """`?page=` as a whole number from 1 to `lists.MAX_PAGE` in ASCII digits ('²'.isdigit(),
    and '２'.isdecimal()), else None."""
    raw = request.GET.get("page", "1")
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > len(str(lists.MAX_PAGE)):
        return None
    return int(raw) if 1 <= int(raw) <= lists.MAX_PAGE else None


@json_errors
def posts(request):
    number = _page_number(request)
    if number is None:
        return error(400, BAD_PAGE)
    page = lists.get_page(lists.scope_all(), number)
    if number > page.last:
        return error(404, f"page {number} is past the last page ({page.last})")
    return JsonResponse(
        {
            "page": page.number,
            "pages": page.last,
            "count": page.count,
            "page_size": settings.NEWSRANK_PAGE_SIZE,
            "results": [post_summary(request, post) for post in page.rows],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@json_errors
def search(request):
    """`GET /api/search?q=…&page=…` (and `from`, `to`, `title`, `sort`): the /search page as JSON."""
    number = _page_number(request)
    if number is None:
        return error(400, BAD_PAGE)
    result = backends.search(query_from(request.GET), number)
    results = []
    for post in result.posts:
        mark = result.highlights.get(post.number)
        results.append(
            post_summary(request, post)
            | {
                "title_html": mark.title if mark else "",
                "snippet_html": mark.snippet if mark else "",
            }
        )
    return JsonResponse(
        {
            "query": result.query.text,
            "page": result.page,
            "pages": result.pages,
            "total": result.total,
            "total_is_exact": result.total_is_exact,
            "message": result.message,
            "results": results,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def story_summary(request, story: Story, now) -> dict:
    score = story.score(now)
    return {
        "id": story.pk,
        "headline": story.headline,
        "outlets": story.outlets_count,
        "posts": story.posts_count,
        "first_at": story.first_at.isoformat(),
        "newest_at": story.newest_at.isoformat(),
        "score": round(score.total, 4),
        "link": request.build_absolute_uri(story.get_absolute_url()),
    }


@json_errors
def stories(request):
    """`GET /api/stories`: the ranked stories of now, as on /ranking."""
    now = timezone.now()
    ranked = [story_summary(request, s, now) for s in Story.objects.ranked()[:50]]
    return JsonResponse({"results": ranked}, json_dumps_params={"ensure_ascii": False})


@json_errors
def story_detail(request, pk: int):
    story = Story.objects.live().filter(pk=pk).first()
    if story is None:
        return error(404, f"no story {pk}")
    posts = Post.objects.visible().filter(story=story).select_related("outlet").order_by("number")
    data = story_summary(request, story, timezone.now()) | {
        "summary": next((p.summary for p in posts if p.summary), []),
        "results": [post_summary(request, post) for post in posts],
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@json_errors
def popular(request):
    """`GET /api/popular`: 많이 본 뉴스, the posts with the most distinct readers in 24 hours."""
    readers.COUNTER.flush_if_due()
    results = [
        post_summary(request, post) | {"readers": count}
        for post, count in readers.cached_popular_posts()
    ]
    return JsonResponse(
        {"window_hours": 24, "results": results}, json_dumps_params={"ensure_ascii": False}
    )


@json_errors
def trending(request):
    """`GET /api/trending`: the keywords rising most in the recent window, as on /trending."""
    search = request.build_absolute_uri(reverse("board:search"))
    results = [
        {
            "term": t.term,
            "posts": t.recent_count,
            "expected": round(t.expected, 2),
            "score": round(t.score, 3),
            "search": f"{search}?{urlencode({'q': t.term})}",
        }
        for t in trends.current_trends()
    ]
    return JsonResponse(
        {
            "recent_hours": trends.RECENT.total_seconds() / 3600,
            "baseline_hours": trends.BASELINE.total_seconds() / 3600,
            "results": results,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@json_errors
def post_detail(request, number: int):
    post = Post.objects.visible().select_related("outlet").filter(number=number).first()
    if post is None:
        return error(404, f"no post number {number}")
    data = post_summary(request, post) | {
        "subtitles": post.subtitles,
        "authors": post.authors,
        "body_text": post.body_text if post.outlet.full_text else "\n\n".join(post.paragraphs[:2]),
        "images": post.images,
    }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@never_cache
@json_errors
def health(request):
    """Per feed: status, last success, last error, poll interval, articles a day, lag; totals."""
    return JsonResponse(crawl_health(), json_dumps_params={"ensure_ascii": False})


@never_cache
def healthz(request):
    """ "ok" (200) when the database answers a trivial query, else 503 and the reason, in plain text.

    For load balancers and process monitors: one `SELECT 1`, no table read, no session.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # whatever the driver raises, the answer is "not healthy"
        log.warning("health check: database unavailable: %s", error)
        # The class name only: driver messages can name internal hosts and users.
        return _plain(f"database unavailable ({type(error).__name__})", status=503)
    return _plain("ok")


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def not_found(request, exception=None):
    return error(404, "no such API endpoint")
