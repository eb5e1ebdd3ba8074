"""One date format across the admin: every column and readonly field that shows a
date goes through astria_portal.admin_format, never Django's default rendering."""

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.utils import formats, timezone, translation

from accounts.models import AccountDeletion, DataExport
from astria_portal.admin_format import when
from astria_portal.models import CallbackReceipt, Usage
from prompts.models import Prompt
from tests.tunes.retention_helpers import add_prompt
from tunes.models import DeletionRecord, Tune

OURS = {"tunes", "prompts", "astria_portal", "accounts", "admin"}
MOMENT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # Django's own format says "noon"


def shown_names(model_admin):
    """What the admin's list and pages show, by name."""
    names = list(model_admin.list_display)
    if model_admin.fieldsets:
        names += flatten_fieldsets(model_admin.fieldsets)
    names += list(model_admin.fields or ())
    names += list(model_admin.readonly_fields)
    return names


def raw_date_fields(model_admin):
    opts = model_admin.model._meta
    dated = {f.name for f in opts.get_fields() if isinstance(f, models.DateField)}
    return sorted(set(shown_names(model_admin)) & dated)


ADMINS = [
    model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label in OURS
]


@pytest.mark.parametrize("model_admin", ADMINS, ids=str)
def test_no_admin_of_ours_shows_a_date_field_as_django_renders_it(model_admin):
    assert raw_date_fields(model_admin) == []


@pytest.mark.parametrize("model", [Tune, Prompt, DeletionRecord, CallbackReceipt, Usage,
                                   DataExport, AccountDeletion])  # fmt: skip
def test_read_only_pages_name_their_fields(model):
    """A page staff cannot edit shows every field unless told which: the dates too."""
    model_admin = admin.site._registry[model]
    assert model_admin.fieldsets or model_admin.fields


def test_the_format(settings):
    settings.TIME_ZONE = "UTC"
    assert when(MOMENT) == "1 Jun 2026 12:00"
    assert when(MOMENT, time=False) == "1 Jun 2026"
    assert when(MOMENT.date()) == "1 Jun 2026"
    assert when(None) == "—"


@pytest.mark.django_db
def test_a_fine_tune_and_a_prompt_page_show_their_dates_one_way(admin_client, make_tune):
    tune = make_tune(photos=1)
    Tune.objects.filter(pk=tune.pk).update(
        status="trained", trained_at=MOMENT, expires_at=MOMENT, created_at=MOMENT,
        updated_at=MOMENT, last_error_at=MOMENT, remote_id=5,
    )  # fmt: skip
    tune.refresh_from_db()
    prompt = add_prompt(tune)
    Prompt.objects.filter(pk=prompt.pk).update(created_at=MOMENT, finished_at=MOMENT)
    CallbackReceipt.objects.update(received_at=MOMENT, last_received_at=MOMENT)
    DeletionRecord.objects.create(
        tune_code="3f2b0f4e-5b8a-4c53-9a55-1c1c3c9e1f00", model_kind="sd15", test_mode=False,
        photos=1, prompts=0, images=0, reason="staff", trained_at=MOMENT, deleted_at=MOMENT,
    )  # fmt: skip
    record = DeletionRecord.objects.get()
    for url in [
        f"/admin/tunes/tune/{tune.pk}/change/",
        "/admin/tunes/tune/",
        f"/admin/prompts/prompt/{prompt.pk}/change/",
        "/admin/prompts/prompt/",
        f"/admin/tunes/deletionrecord/{record.pk}/change/",
        "/admin/tunes/deletionrecord/",
        "/admin/astria_portal/callbackreceipt/",
    ]:
        page = admin_client.get(url).content.decode()
        assert "1 Jun 2026 12:00" in page, url
        for other in ("noon", "June 1, 2026", "2026-06-01 12:00", "01 Jun 2026"):
            assert other not in page, (url, other)


@pytest.mark.parametrize("language", ["en-us", "fr", "de"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/St_Johns"])
def test_the_format_is_djangos_date_format_written_out(settings, language, zone):
    """when() writes "j M Y H:i" out by hand, for speed: it must say what Django says."""
    settings.TIME_ZONE = zone
    moments = [datetime(year, month, day, hour, minute, tzinfo=UTC)
               for year, month, day, hour, minute in
               [(2026, 1, 1, 0, 0), (2026, 3, 9, 9, 5), (999, 5, 31, 23, 59),
                (2026, 12, 31, 23, 30)] + [(2027, m, 15, 12, 1) for m in range(1, 13)]]  # fmt: skip
    with translation.override(language):
        for moment in moments:
            local = timezone.localtime(moment)
            assert when(moment) == formats.date_format(local, "j M Y H:i"), moment
            assert when(moment, time=False) == formats.date_format(local, "j M Y"), moment
            assert when(moment.date()) == formats.date_format(moment.date(), "j M Y")
