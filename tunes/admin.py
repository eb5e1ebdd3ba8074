from django.contrib import admin

from tunes.models import TrainingImage, Tune


class TrainingImageInline(admin.TabularInline):
    model = TrainingImage
    fields = ("position", "file", "width", "height", "size", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Tune)
class TuneAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "status", "test_mode", "remote_id", "created_at", "trained_at")
    list_filter = ("status", "test_mode", "model_kind")
    list_select_related = ("owner",)
    search_fields = ("name", "title", "remote_id", "owner__username", "owner__email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "code", "title", "remote_id", "status", "eta", "started_training_at", "trained_at",
        "expires_at", "attempts", "next_attempt_at", "posted_at", "submitted_at",
        "next_check_at", "checks", "last_error", "last_error_body", "last_error_at",
        "notified_at", "created_at", "updated_at",
    )  # fmt: skip
    exclude = ("callback_secret",)
    inlines = [TrainingImageInline]
