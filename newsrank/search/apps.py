from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "newsrank.search"
    verbose_name = "검색"
