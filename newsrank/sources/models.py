"""Outlets and the feeds newsrank polls for them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from newsrank.board.links import number_link
from newsrank.sources.sections import SECTIONS


class Outlet(models.Model):
    name = models.CharField("이름", max_length=100, unique=True)
    homepage = models.URLField("홈페이지", blank=True)
    full_text = models.BooleanField(
        "본문 전체 게재", default=True, help_text="끄면 기사 첫 부분만 싣고 원문으로 안내합니다."
    )
    blocked = models.BooleanField("차단", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "언론사"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return number_link("board:outlet")(self.pk)  # as reverse() gives, without one per link


class FeedQuerySet(models.QuerySet):
    def active(self):
        """Feeds the crawler polls: enabled, not paused after errors, outlet not blocked."""
        return self.filter(enabled=True, outlet__blocked=False).exclude(status=Feed.Status.PAUSED)

    def due(self, now=None):
        """Feeds whose next check has come, the longest-waiting first."""
        now = now or timezone.now()
        return self.active().filter(next_check_at__lte=now).order_by("next_check_at", "pk")


class Feed(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "대기"
        OK = "ok", "정상"
        ERROR = "error", "오류"
        PAUSED = "paused", "중지"

    outlet = models.ForeignKey(
        Outlet, on_delete=models.CASCADE, related_name="feeds", verbose_name="언론사"
    )
    url = models.URLField("주소", max_length=1000, unique=True)
    section_label = models.CharField("언론사 분류", max_length=50, blank=True)
    section = models.CharField("게시판", max_length=20, blank=True, choices=SECTIONS)
    enabled = models.BooleanField("사용", default=True)

    min_poll_seconds = models.PositiveIntegerField(
        "최소 간격(초)", null=True, blank=True, help_text="비우면 설정의 기본값"
    )
    max_poll_seconds = models.PositiveIntegerField(
        "최대 간격(초)", null=True, blank=True, help_text="비우면 설정의 기본값"
    )

    # What the crawler learned: HTTP validators, the publishing rate, the poll interval chosen.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    poll_seconds = models.PositiveIntegerField("확인 간격(초)", default=600)
    items_per_day = models.FloatField("하루 기사 수", default=0)
    last_entry_at = models.DateTimeField("마지막 기사 발행", null=True, blank=True)
    lag_seconds = models.FloatField("지연(초)", null=True, blank=True)
    status = models.CharField("상태", max_length=10, choices=Status, default=Status.NEW)
    error = models.TextField("마지막 오류", blank=True)
    error_count = models.PositiveIntegerField("연속 오류", default=0)
    first_error_at = models.DateTimeField("오류 시작", null=True, blank=True)
    last_checked_at = models.DateTimeField("마지막 확인", null=True, blank=True)
    last_success_at = models.DateTimeField("마지막 성공", null=True, blank=True)
    next_check_at = models.DateTimeField("다음 확인", default=timezone.now, db_index=True)
    # A crawler process holds a feed while it polls it (several crawlers on PostgreSQL).
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["outlet__name", "url"]
        verbose_name = verbose_name_plural = "피드"

    def __str__(self) -> str:
        return f"{self.outlet.name} {self.section_label or ''}".strip()
