"""Template tags and filters for the board: the list's and search's rows, the 날짜 column, full times."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from newsrank.board.links import number_link

register = template.Library()


@register.filter
def board_date(moment):
    """`HH:MM` for today's posts, else `YYYY.MM.DD`, in the site's time zone (Asia/Seoul)."""
    zone = timezone.get_current_timezone()
    return _date_cells(moment, zone, timezone.localdate(timezone=zone))[1]


@register.filter
def full_time(moment):
    """`YYYY.MM.DD HH:MM` in the site's time zone."""
    return "" if moment is None else timezone.localtime(moment).strftime("%Y.%m.%d %H:%M")


# --- The list's rows ------------------------------------------------------------------------------

_CURRENT_TR = '<tr class="current" aria-current="true">'
_CURRENT_NO = '<span class="here">현재글</span>'


@register.simple_tag
def list_rows(rows, scope, current=None) -> str:
    """The <tr>s of a board list, as the template loop wrote them, built in Python.

    A list page has 20 rows of about twenty values each; rendered through template nodes they
    were about a third of the page's CPU time (bench/pages.py). Django's admin builds its change
    list rows the same way (django/contrib/admin/templatetags/admin_list.py, `items_for_result`).
    Text is escaped as the template's autoescaping did it (django.utils.html.escape is
    html.escape; the values are plain strings from the database, never already safe).
    """
    post_url, outlet_url = number_link("board:post"), number_link("board:outlet")
    story_url = number_link("stories:story")
    query = escape(scope.link_query)
    zone = timezone.get_current_timezone()
    today = timezone.localdate(timezone=zone)
    current_number = current.number if current else None
    html = []
    for row in rows:
        if row.number == current_number:
            tr, number = _CURRENT_TR, _CURRENT_NO
        else:
            tr, number = "<tr>", row.number
        more = ""
        story = row.story
        if story and story.outlets_count > 1:
            others = story.posts_count - 1
            more = (
                f' <a class="more" href="{story_url(story.pk)}" '
                f'aria-label="같은 이슈의 다른 기사 {others}건">외 {others}건</a>'
            )
        iso, date = _date_cells(row.when, zone, today)
        html.append(
            f"\n      {tr}"
            f'\n        <td class="no">{number}</td>'
            f'\n        <td class="subject"><a href="{post_url(row.number)}{query}">'
            f"{escape(row.title)}</a>{more}</td>"
            f'\n        <td class="writer"><a href="{outlet_url(row.outlet_id)}">'
            f"{escape(row.outlet.name)}</a></td>"
            f'\n        <td class="date"><time datetime="{iso}">{date}</time></td>'
            "\n      </tr>\n    "
        )
    return mark_safe("".join(html))


@register.simple_tag
def search_rows(result) -> str:
    """The <tr>s of search results, as the template loop wrote them, built in Python (as
    `list_rows`, and for the same reason). The title and snippet are the highlighter's HTML,
    escaped there (newsrank/search/highlight.py)."""
    post_url, outlet_url = number_link("board:post"), number_link("board:outlet")
    zone = timezone.get_current_timezone()
    today = timezone.localdate(timezone=zone)
    html = []
    for row in result.posts:
        mark = result.highlights[row.number]
        iso, date = _date_cells(row.when, zone, today)
        html.append(
            "\n      <tr>"
            f'\n        <td class="no">{row.number}</td>'
            f'\n        <td class="subject"><a href="{post_url(row.number)}">{mark.title}</a>'
            f'<p class="snippet">{mark.snippet}</p></td>'
            f'\n        <td class="writer"><a href="{outlet_url(row.outlet_id)}">'
            f"{escape(row.outlet.name)}</a></td>"
            f'\n        <td class="date"><time datetime="{iso}">{date}</time></td>'
            "\n      </tr>\n    "
        )
    return mark_safe("".join(html))


def _date_cells(moment, zone, today) -> tuple[str, str]:
    """(ISO 8601, the 날짜 column: `board_date`) of a post's time in the site's time zone."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment, zone)
    return local.isoformat(), local.strftime("%H:%M" if local.date() == today else "%Y.%m.%d")
