from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsrank.stories"
    verbose_name = "이슈"
