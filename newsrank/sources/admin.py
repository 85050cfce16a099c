from django.contrib import admin, messages

from newsrank.sources.models import Feed, Outlet


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
        "last_checked_at",
        "last_success_at",
        "created_at",
    ]
    actions = ["refresh_now"]

    @admin.display(description="오류")
    def short_error(self, feed):
        return feed.error[:80]

    @admin.action(description="지금 새로 고침")
    def refresh_now(self, request, queryset):
        from newsrank.ingest.pipeline import refresh_feed

        for feed in queryset:
            result = refresh_feed(feed)
            level = messages.ERROR if result.error else messages.SUCCESS
            self.message_user(request, f"{feed}: {result}", level)
