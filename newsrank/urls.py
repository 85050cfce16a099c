from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsrank import sitemaps
from newsrank.api.views import healthz
from newsrank.board import feeds
from newsrank.ops.metrics import metrics

urlpatterns = [
    path(settings.NEWSRANK_ADMIN_PATH, admin.site.urls),
    path("api/", include("newsrank.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),  # Prometheus; private by default
    # RSS 2.0 and Atom (…/atom/) for the board, each section, outlet, story and search.
    path("feed/", feeds.PostsFeed(), name="feed"),
    path("feed/atom/", feeds.PostsAtomFeed(), name="feed-atom"),
    path("feed/board/<slug:slug>/", feeds.SectionFeed(), name="feed-section"),
    path("feed/board/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="feed-section-atom"),
    path("feed/outlet/<int:outlet_id>/", feeds.OutletFeed(), name="feed-outlet"),
    path("feed/outlet/<int:outlet_id>/atom/", feeds.OutletAtomFeed(), name="feed-outlet-atom"),
    path("feed/story/<int:pk>/", feeds.StoryFeed(), name="feed-story"),
    path("feed/story/<int:pk>/atom/", feeds.StoryAtomFeed(), name="feed-story-atom"),
    path("feed/search/", feeds.SearchFeed(), name="feed-search"),
    path("feed/search/atom/", feeds.SearchAtomFeed(), name="feed-search-atom"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("", include("newsrank.stories.urls")),
    path("", include("newsrank.board.urls")),
]

admin.site.site_header = admin.site.site_title = "newsrank 관리"
