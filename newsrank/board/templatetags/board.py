"""Template filters for the board: the 날짜 column and the excerpt of an outlet without full text."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def board_date(moment):
    """`HH:MM` for today's posts, else `YYYY.MM.DD`, in the site's time zone (Asia/Seoul)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%Y.%m.%d")


@register.filter
def full_time(moment):
    """`YYYY.MM.DD HH:MM` in the site's time zone."""
    return "" if moment is None else timezone.localtime(moment).strftime("%Y.%m.%d %H:%M")


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template, or None."""
    return mapping.get(key)
