from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from astria_portal import serving
from astria_portal.admin_actions import resubmit
from astria_portal.admin_format import counted, date_column
from prompts.admin_actions import download_again
from prompts.models import GeneratedImage, Prompt
from tunes.admin import status_badge


def thumbnail(image):
    if not image.is_ready:
        return "—"
    url = reverse("admin:prompts_generatedimage_thumbnail", args=[image.pk])
    return format_html('<img class="thumb" src="{}" alt="">', url)


def download_state(image):
    if image.is_ready:
        return "Stored"
    tries = counted(image.attempts, "attempt", "attempts")
    return f"Failed after {tries}" if image.gave_up else f"Downloading ({tries} so far)"


class DownloadFilter(admin.SimpleListFilter):
    title = "download"
    parameter_name = "download"

    def lookups(self, request, model_admin):
        return [("stored", "Stored"), ("downloading", "Downloading"), ("failed", "Failed")]

    def queryset(self, request, queryset):
        if self.value() == "stored":
            return queryset.exclude(file="")
        if self.value() == "downloading":
            return queryset.filter(file="", next_attempt_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(file="", next_attempt_at__isnull=True)
        return queryset


class GeneratedImageInline(admin.TabularInline):
    model = GeneratedImage
    view_on_site = False
    fields = ("preview", "number", "state", "content_type", "dimensions", "file_size",
              "downloaded", "last_error")  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    downloaded = date_column("downloaded_at", "downloaded")

    @admin.display(description="image")
    def preview(self, image):
        return thumbnail(image)

    @admin.display(description="#")
    def number(self, image):
        return image.position + 1

    @admin.display(description="pixels")
    def dimensions(self, image):
        return f"{image.width} × {image.height}" if image.width else "—"

    @admin.display(description="size")
    def file_size(self, image):
        return filesizeformat(image.size) if image.size else "—"

    @admin.display(description="download")
    def state(self, image):
        return download_state(image)


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ("short_text", "tune_and_owner", "status_badge", "image_count", "astria_id",
                    "created")  # fmt: skip
    list_filter = ("status", "tune__test_mode", "aspect_ratio")
    list_select_related = ("tune", "tune__owner")
    search_fields = ("text", "remote_id", "tune__name", "tune__remote_id",
                     "tune__owner__username", "tune__owner__email")  # fmt: skip
    date_hierarchy = "created_at"
    actions = (resubmit,)
    fieldsets = (
        (None, {"fields": (
            "text",
            ("tune", "status_badge"),
            ("num_images", "aspect_ratio"),
            ("negative_prompt", "seed"),
            ("cfg_scale", "steps"),
            ("super_resolution", "face_correct", "inpaint_faces"),
        )}),
        ("Astria", {"fields": (
            ("remote_id", "remote_tune_id"),
            "code",
            "sent_text",
            ("created", "posted"),
            ("submitted", "started"),
            ("finished", "notified"),
            "updated",
        )}),
        ("Errors and retries", {"fields": (
            "last_error", "last_error_body",
            ("errored", "attempts"),
            ("next_attempt", "next_check", "checks"),
        )}),
    )  # fmt: skip
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [GeneratedImageInline]
    view_on_site = False  # the user's pages answer the owner only

    created = date_column("created_at", "created")
    posted = date_column("posted_at")
    submitted = date_column("submitted_at")
    started = date_column("started_at")
    finished = date_column("finished_at")
    notified = date_column("notified_at")
    updated = date_column("updated_at")
    errored = date_column("last_error_at")
    next_attempt = date_column("next_attempt_at")
    next_check = date_column("next_check_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a plain row delete would leave Astria's copy and the files

    def has_manage_permission(self, request):
        return request.user.has_perm("prompts.change_prompt")

    @admin.display(description="prompt")
    def short_text(self, prompt):
        return format_html('<span class="clamp" title="{}">{}</span>', prompt.text, prompt.text)

    @admin.display(description="fine-tune / owner", ordering="tune__name")
    def tune_and_owner(self, prompt):
        url = reverse("admin:tunes_tune_change", args=[prompt.tune_id])
        return format_html(
            '<a href="{}">{}</a><span class="owner">{}</span>', url, prompt.tune, prompt.tune.owner
        )

    @admin.display(description="images", ordering="num_images")
    def image_count(self, prompt):
        return prompt.num_images

    @admin.display(description="Astria #", ordering="remote_id")
    def astria_id(self, prompt):
        return prompt.remote_id or "—"

    @admin.display(description="status", ordering="status")
    def status_badge(self, prompt):
        return status_badge(prompt)


@admin.register(GeneratedImage)
class GeneratedImageAdmin(admin.ModelAdmin):
    list_display = ("preview", "__str__", "state", "file_size", "downloaded", "last_error")
    list_filter = (DownloadFilter, "content_type")
    list_select_related = ("prompt",)
    search_fields = ("code", "prompt__code", "prompt__tune__name")
    date_hierarchy = "downloaded_at"
    readonly_fields = ("preview", "state", "prompt", "position", "code", "remote_url",
                       "content_type", "width", "height", "size", "downloaded", "attempts",
                       "next_attempt", "last_error")  # fmt: skip
    exclude = ("file", "thumbnail")  # private files: shown through the preview only
    view_on_site = False
    actions = (download_again,)

    downloaded = date_column("downloaded_at", "downloaded")
    next_attempt = date_column("next_attempt_at")

    @admin.display(description="size", ordering="size")
    def file_size(self, image):
        return filesizeformat(image.size) if image.size else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_manage_permission(self, request):
        return request.user.has_perm("prompts.change_generatedimage")

    @admin.display(description="image")
    def preview(self, image):
        return thumbnail(image)

    @admin.display(description="download")
    def state(self, image):
        return download_state(image)

    def get_urls(self):
        view = self.admin_site.admin_view(self.thumbnail_view)
        return [
            path("<int:image_id>/thumbnail/", view, name="prompts_generatedimage_thumbnail"),
            *super().get_urls(),
        ]

    def thumbnail_view(self, request, image_id):
        """A generated image's thumbnail, for staff only."""
        if not self.has_view_permission(request):
            raise Http404
        image = get_object_or_404(GeneratedImage, pk=image_id)
        field = image.thumbnail or image.file
        if not field:
            raise Http404
        content_type = "image/jpeg" if image.thumbnail else image.content_type
        name = field.name.rsplit("/", 1)[-1]
        return serving.file_response(field, content_type or "image/jpeg", name)
