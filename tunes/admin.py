from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets, quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from astria_portal import serving
from astria_portal.admin_actions import resubmit
from astria_portal.admin_format import counted, date_column, when, when_and_day
from astria_portal.models import CallbackReceipt
from pages.keep import kept_staff_page
from prompts.models import Prompt
from tunes import admin_actions, retention
from tunes.models import MODELS, DeletionRecord, TrainingImage, Tune


def status_badge(obj):
    return format_html(
        '<span class="status status-{}">{}</span>', obj.status, obj.get_status_display()
    )


def countdown_badge(tune):
    """The countdown, and beside it the day it ends (the time in the tooltip)."""
    state = tune.storage
    if not state.ends_at or state.band == "deleted":
        return format_html(
            '<span class="countdown countdown-{}">{}</span>', state.band, state.label
        )
    ends, day = when_and_day(state.ends_at)
    return format_html(
        '<span class="countdown countdown-{}">{}</span> <span class="expiry" title="{}">{}</span>',
        state.band,
        state.label,
        ends,
        day,
    )


def model_label(kind):
    """The model's name as the tune form shows it, without the explanation after the colon."""
    if kind not in MODELS:
        return kind
    return MODELS[kind]["label"].split(":")[0]


class StorageFilter(admin.SimpleListFilter):
    title = "storage"
    parameter_name = "storage"

    def lookups(self, request, model_admin):
        return retention.WINDOWS

    def queryset(self, request, queryset):
        if self.value() in dict(retention.WINDOWS):
            return retention.in_window(queryset, self.value())
        return queryset


class TuneChangeList(ChangeList):
    """The list of tunes: its page of rows read with only the columns it shows, and each
    row's link made from one reverse() a page, not one a row."""

    PK = "__pk__"  # stands for the row's key in the page's one reversed change URL

    def get_results(self, request):
        super().get_results(request)
        # A tune row has some fifty columns, most of them dates that the database
        # driver parses one by one; the list shows a handful. Only its page's rows are
        # narrowed: the counts, the filters and the actions read the full queryset.
        self.result_list = self.result_list.only(*self.model_admin.list_fields)

    def url_for_result(self, result):
        # A tune's key is a number: nothing in it that reverse() would escape.
        if not hasattr(self, "_change_url"):
            self._change_url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(self.PK,),
                current_app=self.model_admin.admin_site.name,
            )
        pk = getattr(result, self.pk_attname)
        return self._change_url.replace(self.PK, str(quote(pk)))


class TrainingImageInline(admin.TabularInline):
    model = TrainingImage
    view_on_site = False  # the user's photo view answers its owner only
    fields = ("preview", "number", "dimensions", "file_size", "checksum")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="photo")
    def preview(self, photo):
        url = reverse("admin:tunes_tune_photo", args=[photo.tune_id, photo.code])
        return format_html('<img class="thumb" src="{}" alt="">', url)

    @admin.display(description="#")
    def number(self, photo):
        return photo.position + 1

    @admin.display(description="pixels")
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}"

    @admin.display(description="size")
    def file_size(self, photo):
        return filesizeformat(photo.size)

    @admin.display(description="SHA-256")
    def checksum(self, photo):
        return format_html('<code title="{}">{}…</code>', photo.sha256, photo.sha256[:12])


class PromptInline(admin.TabularInline):
    model = Prompt
    view_on_site = False
    fields = ("text", "status_badge", "image_count", "astria_id", "created")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    created = date_column("created_at", "created")

    @admin.display(description="status")
    def status_badge(self, prompt):
        return status_badge(prompt)

    @admin.display(description="images")
    def image_count(self, prompt):
        return prompt.num_images

    @admin.display(description="Astria #")
    def astria_id(self, prompt):
        return prompt.remote_id or "—"


@admin.register(Tune)
class TuneAdmin(admin.ModelAdmin):
    list_display = ("name", "storage", "status_badge", "owner", "trained", "test")
    list_filter = ("status", "test_mode", StorageFilter, "model_kind")
    list_select_related = ("owner",)
    # What list_display reads of a row (TuneChangeList reads no more): a column that
    # needs another field must name it here, or it costs a query a row (the list's
    # query count test fails then). The storage column reads the retention fields.
    list_fields = ("name", "status", "test_mode", "trained_at", "owner__username",
                   "auto_extend", "expires_at", "last_error_at", "created_at")  # fmt: skip
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
            ("created", "posted"),
            ("submitted", "expected"),
            ("started_training", "trained"),
            ("expires", "auto_extend"),
            ("warned", "notified"),
            "updated",
        )}),
        ("Errors and retries", {"fields": (
            "last_error", "last_error_body",
            ("errored", "attempts"),
            ("next_attempt", "next_check", "checks"),
        )}),
        ("Callback receipts", {"fields": ("receipts",)}),
    )  # fmt: skip
    readonly_fields = flatten_fieldsets(fieldsets)
    inlines = [TrainingImageInline, PromptInline]
    view_on_site = False  # the user's pages answer the owner only

    created = date_column("created_at")
    posted = date_column("posted_at")
    submitted = date_column("submitted_at")
    expected = date_column("eta", "expected (Astria's eta)")
    started_training = date_column("started_training_at")
    trained = date_column("trained_at", "trained")
    expires = date_column("expires_at", "Astria's deletion date")
    warned = date_column("retention_warned_at", "owner warned of the deletion")
    notified = date_column("notified_at")
    updated = date_column("updated_at")
    errored = date_column("last_error_at")
    next_attempt = date_column("next_attempt_at")
    next_check = date_column("next_check_at")

    def get_queryset(self, request):
        return retention.with_end(super().get_queryset(request))

    def get_changelist(self, request, **kwargs):
        return TuneChangeList

    def changelist_view(self, request, extra_context=None):
        """Kept whole while nothing that any page shows has changed (pages/keep.py)."""
        return kept_staff_page(super().changelist_view)(request, extra_context)

    def action_checkbox(self, obj):
        """Django's own checkbox for the row, written out.

        ModelAdmin.action_checkbox renders a CheckboxInput through the template engine
        for every row, a fifth of the list's time; this is the same markup, attribute
        for attribute (tests/tunes/test_admin_tune_list.py compares the two).
        """
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

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

    @admin.display(description="test", boolean=True, ordering="test_mode")
    def test(self, tune):
        return tune.test_mode

    @admin.display(description="time left", ordering=F("retention_ends").asc(nulls_last=True))
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
            detail = f"{when(state.ends_at)} ({basis})"
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
            ((when(r.received_at), r.get_verdict_display(), r.times_received) for r in found),
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
    list_display = ("short_code", "reason", "kind", "test", "removed", "trained", "deleted")
    list_filter = ("reason", "test_mode", "model_kind")
    search_fields = ("tune_code", "remote_id")
    date_hierarchy = "deleted_at"
    fields = ("tune_code", "remote_id", "kind", "test_mode", "photos", "prompts", "images",
              "reason", "trained", "deleted")  # fmt: skip
    readonly_fields = fields

    trained = date_column("trained_at", "trained")
    deleted = date_column("deleted_at", "deleted")

    @admin.display(description="fine-tune", ordering="tune_code")
    def short_code(self, record):
        code = str(record.tune_code)
        return format_html('<span title="{}">{}…</span>', code, code[:8])

    @admin.display(description="model", ordering="model_kind")
    def kind(self, record):
        return format_html(
            '<span title="{}">{}</span>',
            record.get_model_kind_display(),
            model_label(record.model_kind),
        )

    @admin.display(description="test", boolean=True, ordering="test_mode")
    def test(self, record):
        return record.test_mode

    @admin.display(description="removed")
    def removed(self, record):
        return (
            f"{counted(record.photos, 'photo', 'photos')}, "
            f"{counted(record.prompts, 'prompt', 'prompts')}, "
            f"{counted(record.images, 'image', 'images')}"
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
