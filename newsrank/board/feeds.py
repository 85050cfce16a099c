"""RSS of the newest posts, through Django's syndication framework."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse

from newsrank.board.models import Post


class LatestPostsFeed(Feed):
    description_template = None

    def title(self):
        return settings.NEWSRANK_SITE_NAME

    def link(self):
        return reverse("board:list")

    def description(self):
        return f"{settings.NEWSRANK_SITE_NAME}: 언론사들의 최신 기사"

    def items(self):
        return Post.objects.visible().select_related("outlet").newest_first()[:50]

    def item_title(self, post):
        return f"[{post.outlet.name}] {post.title}"

    def item_description(self, post):
        return post.paragraphs[0] if post.paragraphs else ""

    def item_pubdate(self, post):
        return post.when

    def item_author_name(self, post):
        return post.outlet.name

    def item_guid(self, post):
        return str(post.number)

    item_guid_is_permalink = False
