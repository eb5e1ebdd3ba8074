"""Staff's page for packs: refresh the list from Astria, enable a pack, give it a name,
a description and its cost in images of the allowance."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django_q.tasks import async_task

from packs.models import Pack, PackOrder


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    # Own packs come from GET /packs, gallery ones from GET /gallery/packs.
    list_display = ["cover_thumb", "display_name", "title", "source", "enabled", "prompt_count",
                    "cost", "listed"]  # fmt: skip
    list_display_links = ["cover_thumb", "display_name"]
    list_filter = ["enabled", "source"]
    search_fields = ["title", "slug", "name"]
    actions = ["enable", "disable"]
    fields = ["cover_preview", "remote_id", "title", "slug", "source", "model_type", "classes",
              "prompt_count", "images_per_prompt", "refreshed_at", "missing_since",
              "enabled", "name", "description", "images_cost"]  # fmt: skip
    readonly_fields = ["cover_preview", "remote_id", "title", "slug", "source", "model_type",
                       "classes", "prompt_count", "images_per_prompt", "refreshed_at",
                       "missing_since"]  # fmt: skip
    change_list_template = "admin/packs/pack/change_list.html"

    def has_add_permission(self, request):
        return False  # packs come from Astria: "Refresh from Astria"

    def has_delete_permission(self, request, obj=None):
        return False  # fine-tunes point at them; switch one off instead

    def get_urls(self):
        refresh = self.admin_site.admin_view(require_POST(self.refresh_view))
        return [path("refresh/", refresh, name="packs_pack_refresh"), *super().get_urls()]

    def refresh_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        async_task("packs.tasks.refresh_packs")
        self.message_user(request, "Reading the packs from Astria; reload in a moment.")
        return redirect(reverse("admin:packs_pack_changelist"))

    @admin.display(description="Cover")
    def cover_thumb(self, pack):
        if not pack.cover:
            return "—"
        url = reverse("packs:cover", args=[pack.remote_id])
        return format_html('<img src="{}" alt="" width="48" height="60">', url)

    @admin.display(description="Cover")
    def cover_preview(self, pack):
        return self.cover_thumb(pack)

    @admin.display(description="Name for users")
    def display_name(self, pack):
        return pack.display_name

    @admin.display(description="Images it takes")
    def cost(self, pack):
        return pack.cost

    @admin.display(description="Listed by Astria", boolean=True)
    def listed(self, pack):
        return pack.missing_since is None

    @admin.action(description="Offer the selected packs to users")
    def enable(self, request, queryset):
        count = queryset.update(enabled=True)
        self.message_user(request, f"{count} pack{'s' if count != 1 else ''} offered.")

    @admin.action(description="Stop offering the selected packs")
    def disable(self, request, queryset):
        count = queryset.update(enabled=False)
        self.message_user(request, f"{count} pack{'s' if count != 1 else ''} no longer offered.",
                          messages.SUCCESS)  # fmt: skip


@admin.register(PackOrder)
class PackOrderAdmin(admin.ModelAdmin):
    list_display = ["pack", "tune", "status", "with_tune", "images_charged", "expected_prompts",
                    "found", "created_at"]  # fmt: skip
    list_filter = ["status", "with_tune"]
    readonly_fields = [field.name for field in PackOrder._meta.fields] + ["found"]

    def has_add_permission(self, request):
        return False
