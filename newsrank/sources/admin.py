"""The admin of outlets and feeds: crawl health at a glance, refresh now, resume paused feeds."""

from __future__ import annotations

from django.contrib import admin, messages

from newsrank.sources.models import Feed, Outlet
from newsrank.sources.services import resume_feeds

# (seconds in the unit, its Korean name), largest first, for readable intervals and lags.
_UNITS = ((86400, "일"), (3600, "시간"), (60, "분"), (1, "초"))


def readable_seconds(seconds: float | None) -> str:
    """A duration as an operator reads it: 45 → "45초", 120 → "2분", 5400 → "1.5시간"."""
    if seconds is None:
        return "-"
    # The largest unit that shows at least 1 once rounded, so 3,599 s is "1시간", not "60분".
    size, unit = next(
        ((size, unit) for size, unit in _UNITS if round(abs(seconds) / size, 1) >= 1), _UNITS[-1]
    )
    return f"{seconds / size:.1f}".removesuffix(".0") + unit


class FeedInline(admin.TabularInline):
    model = Feed
    fields = ["url", "section_label", "section", "enabled", "status", "last_success_at", "error"]
    readonly_fields = ["status", "last_success_at", "error"]
    extra = 0


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage", "full_text", "blocked"]
    list_filter = ["blocked", "full_text"]
    search_fields = ["name"]
    inlines = [FeedInline]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "outlet",
        "section_label",
        "status",
        "short_error",
        "last_success_at",
        "error_count",
        "poll_interval",
        "per_day",
        "lag",
        "next_check_at",
        "enabled",
    ]
    list_filter = ["status", "enabled", "section", "outlet"]
    search_fields = ["url", "outlet__name", "error"]
    readonly_fields = [
        "etag",
        "last_modified",
        "status",
        "error",
        "error_count",
        "first_error_at",
        "last_checked_at",
        "last_success_at",
        "poll_seconds",
        "items_per_day",
        "last_entry_at",
        "lag_seconds",
        "created_at",
    ]
    actions = ["refresh_now", "resume"]

    @admin.display(description="오류")
    def short_error(self, feed):
        return feed.error[:80]

    @admin.display(description="확인 간격", ordering="poll_seconds")
    def poll_interval(self, feed):
        return readable_seconds(feed.poll_seconds)

    @admin.display(description="하루 기사", ordering="items_per_day")
    def per_day(self, feed):
        return f"{feed.items_per_day:.1f}".removesuffix(".0")

    @admin.display(description="지연", ordering="lag_seconds")
    def lag(self, feed):
        return readable_seconds(feed.lag_seconds)

    @admin.action(description="중지 해제")
    def resume(self, request, queryset):
        resumed = resume_feeds(queryset)
        skipped = queryset.count() - resumed
        text = f"피드 {resumed}개의 중지를 풀었습니다. 곧 다시 확인합니다."
        if skipped:
            text += f" 중지 상태가 아닌 {skipped}개는 그대로 두었습니다."
        self.message_user(request, text, messages.SUCCESS if resumed else messages.WARNING)

    @admin.action(description="지금 새로 고침")
    def refresh_now(self, request, queryset):
        from newsrank.ingest.pipeline import refresh_feed

        for feed in queryset:
            result = refresh_feed(feed)
            level = messages.ERROR if result.error else messages.SUCCESS
            self.message_user(request, f"{feed}: {result}", level)
