from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsrank.api.views import healthz
from newsrank.board.feeds import LatestPostsFeed
from newsrank.ops.metrics import metrics

urlpatterns = [
    path(settings.NEWSRANK_ADMIN_PATH, admin.site.urls),
    path("api/", include("newsrank.api.urls")),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),  # Prometheus; private by default
    path("feed/", LatestPostsFeed(), name="feed"),
    path("", include("newsrank.stories.urls")),
    path("", include("newsrank.board.urls")),
]

admin.site.site_header = admin.site.site_title = "newsrank 관리"
