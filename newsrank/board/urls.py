from django.urls import path

from newsrank.board import views

app_name = "board"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("<int:number>", views.post_detail, name="post"),
    path("board/<slug:slug>", views.section_list, name="section"),
    path("outlet/<int:outlet_id>", views.outlet_list, name="outlet"),
    path("outlets", views.outlets, name="outlets"),
    path("search", views.search, name="search"),
]
