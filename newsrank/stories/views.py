"""Story pages: one story with every outlet's version, 이슈별, 랭킹, 많이 본 뉴스 and 트렌드."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from newsrank.board import lists
from newsrank.board.models import Post
from newsrank.stories import readers, trends
from newsrank.stories.models import Story

MERGE_HOPS = 8  # a story merged into one that was merged later: follow a few, never a loop


def story_detail(request, pk: int):
    story = get_object_or_404(Story, pk=pk)
    for _ in range(MERGE_HOPS):
        if not story.merged_into_id:
            break
        story = get_object_or_404(Story, pk=story.merged_into_id)
    if story.pk != pk:  # merges are not undone: links to the absorbed story move for good
        return redirect(story, permanent=True)
    posts = list(
        Post.objects.visible()
        .filter(story=story)
        .select_related("outlet")
        .order_by("published_at", "number")
    )
    if not posts:
        raise Http404("no such story")
    summary = next((p.summary for p in posts if p.summary), [])
    return render(
        request,
        "stories/story.html",
        {"story": story, "posts": posts, "summary": summary, "menu_current": "issues"},
    )


def issues(request):
    """The board by story: each story once, in order of its newest post."""
    page = lists.page_number(request.GET.get("page"))
    size = settings.NEWSRANK_PAGE_SIZE
    stories = list(
        Story.objects.live().order_by("-newest_at", "-pk")[(page - 1) * size : page * size + 1]
    )
    return render(
        request,
        "stories/issues.html",
        {
            "stories": stories[:size],
            "page": page,
            "has_next": len(stories) > size,
            "menu_current": "issues",
        },
    )


def ranking(request):
    """The stories that matter now: outlets covering them, recency and readers."""
    now = timezone.now()
    rows = [(story, story.score(now)) for story in Story.objects.ranked()[:30]]
    return render(
        request,
        "stories/ranking.html",
        {"rows": rows, "show_score": request.user.is_staff, "menu_current": "ranking"},
    )


def popular(request):
    """많이 본 뉴스: the posts with the most distinct readers in the last 24 hours."""
    readers.COUNTER.flush_if_due()  # this process's latest views, if the interval is over
    return render(
        request,
        "stories/popular.html",
        {"rows": readers.cached_popular_posts(), "menu_current": "popular"},
    )


def trending(request):
    """트렌드: the keywords rising most in the last hours, each linking to a search."""
    return render(
        request,
        "stories/trending.html",
        {
            "trends": trends.current_trends(),
            "recent_hours": int(trends.RECENT.total_seconds() // 3600),
            "menu_current": "trending",
        },
    )
