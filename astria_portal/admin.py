from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry

from astria_portal import quota
from astria_portal.admin_format import date_column
from astria_portal.models import CallbackReceipt, Quota, Usage


@admin.register(CallbackReceipt)
class CallbackReceiptAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_code", "remote_id", "verdict", "times_received", "received")
    list_filter = ("kind", "verdict")
    search_fields = ("object_code", "remote_id", "body_sha256")
    date_hierarchy = "received_at"
    fields = ("kind", "object_code", "remote_id", "body_sha256", "verdict", "received",
              "last_received", "times_received")  # fmt: skip
    readonly_fields = fields

    received = date_column("received_at")
    last_received = date_column("last_received_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class QuotaForm(forms.ModelForm):
    class Meta:
        model = Quota
        fields = ("user", "tunes_per_month", "images_per_month", "note")
        labels = {"tunes_per_month": "Fine-tunes per month"}


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    """Per-user overrides of the monthly allowances; empty fields use the defaults."""

    form = QuotaForm
    list_display = ("user", "fine_tunes", "images_per_month", "note")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "note")
    autocomplete_fields = ("user",)
    readonly_fields = ("this_month",)
    fields = ("user", "tunes_per_month", "images_per_month", "note", "this_month")

    @admin.display(description="fine-tunes per month", ordering="tunes_per_month")
    def fine_tunes(self, obj):
        return obj.tunes_per_month

    @admin.display(description="this month")
    def this_month(self, obj):
        if obj.user_id is None:
            return "—"
        left = quota.allowance(obj.user_id)
        return (
            f"{left.tunes_used} of {left.tunes_limit} fine-tunes, "
            f"{left.images_used} of {left.images_limit} images used"
        )


@admin.register(Usage)
class UsageAdmin(admin.ModelAdmin):
    list_display = ("user", "first_day", "fine_tunes", "images")
    list_filter = ("month",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "first_day", "fine_tunes", "images")
    readonly_fields = fields

    first_day = date_column("month")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # charged and given back by the app only

    @admin.display(description="fine-tunes", ordering="tunes")
    def fine_tunes(self, usage):
        return usage.tunes

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class AuditLogAdmin(admin.ModelAdmin):
    """Every staff action in one list (astria_portal.audit): who, when, what, outcome."""

    list_display = ("time", "user", "content_type", "object_repr", "action_flag",
                    "change_message")  # fmt: skip
    list_filter = ("action_flag", "content_type", ("user", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "content_type")
    search_fields = ("object_repr", "object_id", "change_message", "user__username")
    date_hierarchy = "action_time"
    fields = ("time", "user", "content_type", "object_id", "object_repr", "action_flag",
              "change_message")  # fmt: skip
    readonly_fields = fields

    time = date_column("action_time", "time")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
