"""RSS 2.0 and Atom feeds of the board, each section, each outlet, each story and each search.

Built on Django's syndication framework (django/contrib/syndication): one class per kind of list,
its Atom twin a subclass with `feed_type = Atom1Feed`. Every feed holds the newest `LIMIT` posts,
read newest first through the same indexed querysets as the board's lists.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models.functions import Substr
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from newsrank.board import lists
from newsrank.board.links import number_link
from newsrank.board.models import Post
from newsrank.search import backends
from newsrank.search.forms import query_from
from newsrank.sources.sections import SECTION_LABELS
from newsrank.stories.models import Story

LIMIT = 50
DESCRIPTION_CHARS = 500
# An item shows the first paragraph of the text: the feed reads the text's first LEAD_CHARS
# characters, which hold it but for a rare long one (then that post's whole text is read).
LEAD_CHARS = 1_000
# What an item shows: not the HTML, the photos, the summary or the story.
ITEM_FIELDS = (
    "number",
    "title",
    "section",
    "published_at",
    "modified_at",
    "created_at",
    "outlet__name",
)

# Characters XML 1.0 forbids (https://www.w3.org/TR/xml/#charsets): Django's feed writer refuses
# them with an exception, so a crawled title holding one would turn the whole feed into a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """The text without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text or "")


def first_paragraph(lead: str, whole: bool) -> str | None:
    """The first DESCRIPTION_CHARS characters of the first paragraph of a text (as
    `Post.paragraphs` splits it) from the text's beginning `lead`, or None if `lead` cannot tell:
    unless `whole`, the last paragraph `lead` holds may go on past it."""
    parts = lead.split("\n\n")
    for index, part in enumerate(parts):
        if part.strip():
            # A cut paragraph of more than DESCRIPTION_CHARS: a "\n\n" ending it in the text
            # starts at or after its last character, past the part shown.
            if whole or index < len(parts) - 1 or len(part) > DESCRIPTION_CHARS:
                return part[:DESCRIPTION_CHARS]
            return None
    return "" if whole else None


class PostsFeed(Feed):
    """The newest posts of the whole board (RSS 2.0)."""

    description_template = None

    def get_object(self, request, *args, **kwargs):
        return lists.scope_all()

    def posts(self, obj):
        return obj.posts

    def title(self, obj):
        return xml_text(f"{settings.NEWSRANK_SITE_NAME} - {obj.title}")

    def link(self, obj):
        return obj.url

    def description(self, obj):
        return f"{settings.NEWSRANK_SITE_NAME}: {obj.title} 최신 기사"

    def items(self, obj):
        posts = self.posts(obj).select_related(None).select_related("outlet").only(*ITEM_FIELDS)
        return list(posts.annotate(lead=Substr("body_text", 1, LEAD_CHARS))[:LIMIT])

    def item_title(self, post):
        return xml_text(f"[{post.outlet.name}] {post.title}")

    def item_description(self, post):
        lead = getattr(post, "lead", None)
        first = None if lead is None else first_paragraph(lead, len(lead) < LEAD_CHARS)
        if first is None:
            first = post.paragraphs[0] if post.paragraphs else ""
        return xml_text(first[:DESCRIPTION_CHARS])

    def item_link(self, post):
        return number_link("board:post")(post.number)  # post.get_absolute_url(), without reverse()

    def item_pubdate(self, post):
        return post.when

    def item_updateddate(self, post):
        return post.modified_at or post.when

    def item_author_name(self, post):
        return xml_text(post.outlet.name)

    def item_categories(self, post):
        # get_section_display(), without its per-call dict of the choices
        return [SECTION_LABELS.get(post.section, post.section)] if post.section else []

    def item_guid(self, post):
        # The post number never changes nor returns (see Post.number); the link's host might.
        return f"newsrank:post:{post.number}"

    item_guid_is_permalink = False


class SectionFeed(PostsFeed):
    def get_object(self, request, slug):
        return lists.scope_section(slug)


class OutletFeed(PostsFeed):
    def get_object(self, request, outlet_id):
        scope = lists.scope_outlet(outlet_id)
        if scope.outlet.blocked:
            raise Http404("no such outlet")
        return scope


class StoryFeed(PostsFeed):
    """Every outlet's report of one story, the newest first."""

    def get_object(self, request, pk):
        story = Story.objects.live().filter(pk=pk).first()
        if story is None:
            raise Http404("no such story")
        return story

    def posts(self, story):
        return Post.objects.visible().filter(story=story).newest_first()

    def title(self, story):
        return xml_text(f"{settings.NEWSRANK_SITE_NAME} - 이슈: {story.headline}")

    def link(self, story):
        return story.get_absolute_url()

    def description(self, story):
        return xml_text(f"‘{story.headline}’ 이슈를 보도한 언론사들의 기사")


class SearchFeed(PostsFeed):
    """The newest posts matching a search (`?q=…`, with the /search page's other fields)."""

    def get_object(self, request):
        params = request.GET.copy()
        params["sort"] = "date"  # a subscriber wants what is new, not what ranks best
        return query_from(params)

    def items(self, query):
        return backends.search(query, 1, page_size=LIMIT).posts

    def title(self, query):
        return xml_text(f"{settings.NEWSRANK_SITE_NAME} - ‘{query.text}’ 검색")

    def link(self, query):
        return f"{reverse('board:search')}?{query_string(query)}"

    def description(self, query):
        return xml_text(f"‘{query.text}’ 검색 결과의 최신 기사")


def query_string(query) -> str:
    return urlencode({"q": query.text, "sort": "date"})


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class PostsAtomFeed(AtomMixin, PostsFeed):
    pass


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class OutletAtomFeed(AtomMixin, OutletFeed):
    pass


class StoryAtomFeed(AtomMixin, StoryFeed):
    pass


class SearchAtomFeed(AtomMixin, SearchFeed):
    pass


# The name the site's URL conf has used since the first release.
LatestPostsFeed = PostsFeed
