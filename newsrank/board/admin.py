from django.contrib import admin

from newsrank.board.models import Post


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "outlet", "section", "published_at", "hidden"]
    list_display_links = ["number", "title"]
    list_filter = ["hidden", "section", "outlet"]
    list_editable = ["hidden"]
    search_fields = ["title", "url"]
    raw_id_fields = ["feed"]
    readonly_fields = ["url", "created_at", "updated_at"]
    show_full_result_count = False
    actions = ["hide", "unhide"]

    def save_model(self, request, obj, form, change):
        obj.search_pending = True  # the crawler's indexer brings the search index up to date
        super().save_model(request, obj, form, change)

    @admin.action(description="선택한 글 숨기기")
    def hide(self, request, queryset):
        queryset.update(hidden=True, search_pending=True)

    @admin.action(description="선택한 글 다시 보이기")
    def unhide(self, request, queryset):
        queryset.update(hidden=False, search_pending=True)
