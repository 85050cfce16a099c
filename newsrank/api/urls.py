from django.urls import path, re_path

from newsrank.api import openapi, views

app_name = "api"
urlpatterns = [
    path("posts", views.posts, name="posts"),
    path("posts/<int:number>", views.post_detail, name="post"),
    path("search", views.search, name="search"),
    path("stories", views.stories, name="stories"),
    path("stories/<int:pk>", views.story_detail, name="story"),
    path("popular", views.popular, name="popular"),
    path("trending", views.trending, name="trending"),
    path("health", views.health, name="health"),
    path("openapi.json", openapi.openapi_json, name="openapi"),
    path("docs", openapi.docs, name="docs"),
    # [\s\S], not ".": a path with a newline in it is an API path too (schemathesis found one).
    re_path(r"^[\s\S]*$", views.json_errors(views.not_found)),
]
