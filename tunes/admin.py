from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from astria_portal import serving
from astria_portal.admin_actions import resubmit
from astria_portal.models import CallbackReceipt
from prompts.models import Prompt
from tunes import admin_actions, retention
from tunes.models import DeletionRecord, TrainingImage, Tune


def status_badge(obj):
    return format_html(
        '<span class="status status-{}">{}</span>', obj.status, obj.get_status_display()
    )


def countdown_badge(tune):
    state = tune.storage
    until = f"until {state.ends_at:%d %b %Y %H:%M} UTC" if state.ends_at else ""
    return format_html(
        '<span class="countdown countdown-{}" title="{}">{}</span>', state.band, until, state.label
    )


class StorageFilter(admin.SimpleListFilter):
    title = "storage"
    parameter_name = "storage"

    def lookups(self, request, model_admin):
        return retention.WINDOWS

    def queryset(self, request, queryset):
        if self.value() in dict(retention.WINDOWS):
            return retention.in_window(queryset, self.value())
        return queryset


class TrainingImageInline(admin.TabularInline):
    model = TrainingImage
    view_on_site = False  # the user's photo view answers its owner only
    fields = ("preview", "position", "width", "height", "size", "sha256")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="photo")
    def preview(self, photo):
        url = reverse("admin:tunes_tune_photo", args=[photo.tune_id, photo.code])
        return format_html('<img class="thumb" src="{}" alt="">', url)


class PromptInline(admin.TabularInline):
    model = Prompt
    view_on_site = False
    fields = ("text", "status_badge", "num_images", "remote_id", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="status")
    def status_badge(self, prompt):
        return status_badge(prompt)


@admin.register(Tune)
class TuneAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "status_badge", "test_mode", "trained", "storage")
    list_filter = ("status", "test_mode", StorageFilter, "model_kind")
    list_select_related = ("owner",)
    search_fields = ("name", "title", "remote_id", "owner__username", "owner__email")
    date_hierarchy = "created_at"
    actions = (
        admin_actions.delete_everywhere,
        admin_actions.purge_local_files,
        admin_actions.refresh_from_astria,
        admin_actions.extend_storage,
        resubmit,
    )
    fieldsets = (
        ("Storage", {"fields": ("storage_panel",)}),
        (None, {"fields": (
            ("name", "owner"),
            ("status_badge", "test_mode"),
            ("model_kind", "class_name"),
            ("token", "steps", "face_crop"),
        )}),
        ("Astria", {"fields": (
            ("remote_id", "code"),
            "title",
            ("created_at", "posted_at"),
            ("submitted_at", "eta"),
            ("started_training_at", "trained_at"),
            ("expires_at", "auto_extend"),
            ("retention_warned_at", "notified_at"),
            "updated_at",
        )}),
        ("Errors and retries", {"fields": (
            "last_error", "last_error_body",
            ("last_error_at", "attempts"),
            ("next_attempt_at", "next_check_at", "checks"),
        )}),
        ("Callback receipts", {"fields": ("receipts",)}),
    )  # fmt: skip
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [TrainingImageInline, PromptInline]
    view_on_site = False  # the user's pages answer the owner only

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: changes go through the actions

    def has_delete_permission(self, request, obj=None):
        return False  # a plain row delete would leave Astria's copy and the files

    def has_manage_permission(self, request):
        return request.user.has_perm("tunes.change_tune")

    @admin.display(description="status", ordering="status")
    def status_badge(self, tune):
        return status_badge(tune)

    @admin.display(description="trained", ordering="trained_at")
    def trained(self, tune):
        if tune.trained_at is None:
            return "—"
        return formats.date_format(timezone.localtime(tune.trained_at), "j M Y H:i")

    @admin.display(description="storage")
    def storage(self, tune):
        return countdown_badge(tune)

    @admin.display(description="storage")
    def storage_panel(self, tune):
        state = tune.storage
        if state.ends_at:
            basis = (
                "Astria's own expiry"
                if tune.auto_extend
                else (
                    f"{'trained' if tune.trained_at else 'failed'} + {retention.period().days} days"
                )
            )
            detail = f"{state.ends_at:%d %b %Y %H:%M} UTC ({basis})"
        else:
            detail = "the clock starts when training ends"
        return format_html(
            '<div class="storage-panel"><span class="countdown countdown-{} big">{}</span>'
            '<span class="storage-detail">{}</span></div>',
            state.band,
            state.label,
            detail,
        )

    @admin.display(description="callbacks")
    def receipts(self, tune):
        found = CallbackReceipt.objects.filter(kind="tune", object_code=tune.code)
        if not found:
            return "None received."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{r.received_at:%Y-%m-%d %H:%M:%S}", r.get_verdict_display(), r.times_received)
                for r in found
            ),
        )
        url = reverse("admin:astria_portal_callbackreceipt_changelist") + f"?q={tune.code}"
        return format_html(
            '<table class="receipts"><tr><th>received</th><th>verdict</th><th>times</th></tr>'
            '{}</table><p><a href="{}">Open in callback receipts</a></p>',
            rows,
            url,
        )

    def get_urls(self):
        photo = self.admin_site.admin_view(self.photo_view)
        return [
            path("<int:tune_id>/photos/<uuid:code>/", photo, name="tunes_tune_photo"),
            *super().get_urls(),
        ]

    def photo_view(self, request, tune_id, code):
        """A training photo, for staff only (the user's own view checks the owner)."""
        if not self.has_view_permission(request):
            raise Http404
        photo = get_object_or_404(TrainingImage, tune_id=tune_id, code=code)
        name = photo.file.name.rsplit("/", 1)[-1]
        return serving.file_response(photo.file, "image/jpeg", name)


@admin.register(DeletionRecord)
class DeletionRecordAdmin(admin.ModelAdmin):
    list_display = (
        "tune_code", "reason", "model_kind", "test_mode", "photos", "prompts", "images",
        "trained_at", "deleted_at",
    )  # fmt: skip
    list_filter = ("reason", "test_mode", "model_kind")
    search_fields = ("tune_code", "remote_id")
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
