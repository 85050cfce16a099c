"""The board's trending strip: the top keywords of now, from the cached trends (a cache read)."""

from django import template

from newsrank.stories.trends import current_trends

register = template.Library()

STRIP_SIZE = 8


@register.inclusion_tag("stories/_trending_strip.html", takes_context=True)
def trending_strip(context):
    return {"trends": current_trends()[:STRIP_SIZE], "links": context["links"]}
