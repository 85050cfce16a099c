from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "newsrank.sources"
    verbose_name = "언론사와 피드"
