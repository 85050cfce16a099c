from django.urls import path

from newsrank.stories import views

app_name = "stories"
urlpatterns = [
    path("story/<int:pk>", views.story_detail, name="story"),
    path("issues", views.issues, name="issues"),
    path("ranking", views.ranking, name="ranking"),
    path("popular", views.popular, name="popular"),
    path("trending", views.trending, name="trending"),
]
