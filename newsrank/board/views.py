"""The board's pages: lists, the article view with its list below, and search."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404, render

from newsrank.board import lists
from newsrank.board.models import Post
from newsrank.search import backends
from newsrank.search.forms import query_from
from newsrank.sources.models import Outlet
from newsrank.stories.readers import count_view


def _list(request, scope: lists.Scope, template="board/list.html"):
    page = lists.get_page(scope, lists.page_number(request.GET.get("page")))
    return render(request, template, {"scope": scope, "page": page})


def post_list(request):
    return _list(request, lists.scope_all())


def section_list(request, slug: str):
    return _list(request, lists.scope_section(slug))


def outlet_list(request, outlet_id: int):
    return _list(request, lists.scope_outlet(outlet_id))


def search(request):
    """Korean full-text search, results as board rows with the matching words marked."""
    query = query_from(request.GET)
    result = backends.search(query, lists.page_number(request.GET.get("page")))
    params = {
        k: v for k, v in request.GET.items() if k in ("q", "from", "to", "title", "sort") and v
    }
    pages = [
        (n, f"?{urlencode(params | {'page': n})}")
        for n in range(max(1, result.page - 5), min(result.pages, result.page + 5) + 1)
    ]
    return render(
        request,
        "board/search.html",
        {"result": result, "query": query, "form": params, "pages": pages},
    )


def outlets(request):
    rows = Outlet.objects.filter(blocked=False).order_by("name")
    return render(request, "board/outlets.html", {"outlets": rows})


def post_detail(request, number: int):
    post = get_object_or_404(
        Post.objects.visible().select_related("outlet", "story"), number=number
    )
    scope = lists.scope_from_params(request.GET)
    if not scope.holds(post):
        scope = lists.scope_all()
    page = lists.page_holding(scope, post)
    count_view(request, post)
    return render(request, "board/post.html", {"post": post, "scope": scope, "page": page})
