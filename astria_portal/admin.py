from django.contrib import admin

from astria_portal.models import CallbackReceipt


@admin.register(CallbackReceipt)
class CallbackReceiptAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_code", "remote_id", "verdict", "times_received", "received_at")
    list_filter = ("kind", "verdict")
    search_fields = ("object_code", "remote_id", "body_sha256")
    date_hierarchy = "received_at"
    readonly_fields = [field.name for field in CallbackReceipt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
