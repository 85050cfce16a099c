from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "newsrank.board"
    verbose_name = "게시판"
