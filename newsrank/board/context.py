"""Template context every page needs: the site name and the menu."""

from django.conf import settings

from newsrank.sources.sections import SECTIONS


def site(request):
    return {"site_name": settings.NEWSRANK_SITE_NAME, "menu_sections": SECTIONS}
