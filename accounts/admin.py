"""Staff views of accounts: a user's data exported or the account deleted everywhere,
each action asked first (astria_portal.admin_actions) and recorded (astria_portal.audit)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts import deletion, exports
from accounts.models import AccountDeletion, DataExport
from astria_portal import audit
from astria_portal.admin_actions import confirmation_page, confirmed, split
from astria_portal.admin_format import counted, date_column
from tunes.models import Tune

User = get_user_model()


def _about(user):
    tunes = Tune.objects.filter(owner=user).exclude(status__in=Tune.GONE).count()
    return f"{user.get_username()} <{user.email}>, {counted(tunes, 'fine-tune', 'fine-tunes')}."


def _count(chosen):
    return counted(len(chosen), "account", "accounts")


def _not_exportable(user):
    return "" if user.is_active else "locked (being deleted?)"


@admin.action(description="Export the user's data (e-mailed to them)…")
def export_data(modeladmin, request, queryset):
    chosen, skipped = split(queryset, _not_exportable)
    if confirmed(request) and chosen:
        for user in chosen:
            export, created = exports.request_export(user, by_staff=True)
            state = "started" if created else "already running"
            audit.record(request.user, user, "Export data", f"{state}: {audit.label(export)}")
        modeladmin.message_user(request, f"Data export started for {_count(chosen)}.")
        return None
    rows = [
        (user, [_about(user), "Gathers account, fine-tunes, prompts, photos and images into "
                "a ZIP; only the user can download it, from a link e-mailed to them."])
        for user in chosen
    ]  # fmt: skip
    return confirmation_page(
        modeladmin, request, action="export_data", title=f"Export the data of {_count(chosen)}?",
        button="Yes, export", rows=rows, skipped=skipped,
    )  # fmt: skip


def _not_deletable(user):
    if AccountDeletion.objects.filter(user=user).exists():
        return "already being deleted"
    if user.is_superuser:
        return "a superuser: take away that status first"
    return ""


@admin.action(description="Delete the account everywhere…")
def delete_accounts(modeladmin, request, queryset):
    chosen, skipped = split(queryset, _not_deletable)
    if confirmed(request) and chosen:
        for user in chosen:
            started = deletion.start(user, by_staff=True)
            audit.record(request.user, user, "Delete account everywhere",
                         f"started as {audit.label(started)}", deleted=True)  # fmt: skip
        modeladmin.message_user(request, f"{_count(chosen)} being deleted, on Astria and here.")
        return None
    rows = [
        (user, [_about(user), "Logged out everywhere and locked at once.",
                "On Astria: every fine-tune and prompt (already gone counts as done).",
                "Here: every file and every row that names the user; the user is e-mailed.",
                "Kept: a record with counts and dates, nothing personal."])
        for user in chosen
    ]  # fmt: skip
    return confirmation_page(
        modeladmin, request, action="delete_accounts", title=f"Delete {_count(chosen)}?",
        button="Yes, delete everywhere", rows=rows, skipped=skipped, destructive=True,
    )  # fmt: skip


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    actions = (export_data, delete_accounts)

    def has_delete_permission(self, request, obj=None):
        return False  # a plain row delete would leave the user's work on Astria


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    list_display = ("code", "status", "requested_by_staff", "size", "created", "expires")
    list_filter = ("status", "requested_by_staff")
    fields = ("code", "status", "requested_by_staff", "size", "created", "ready", "expires")
    readonly_fields = fields  # not the file or the user: only the user downloads it

    created = date_column("created_at")
    ready = date_column("ready_at")
    expires = date_column("expires_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccountDeletion)
class AccountDeletionAdmin(admin.ModelAdmin):
    list_display = ("code", "status", "by_staff", "fine_tunes", "prompts", "exports", "started",
                    "finished", "attempts")  # fmt: skip
    list_filter = ("status", "by_staff")
    fields = ("code", "status", "by_staff", "fine_tunes", "prompts", "exports", "joined",
              "started", "next_attempt", "attempts", "finished")  # fmt: skip
    readonly_fields = fields  # not the user or the address the confirmation goes to

    joined = date_column("joined_at")
    started = date_column("started_at")
    next_attempt = date_column("next_attempt_at")
    finished = date_column("finished_at")

    @admin.display(description="fine-tunes", ordering="tunes")
    def fine_tunes(self, deletion):
        return deletion.tunes

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
