"""The hourly retention purge removes everything on time, once, and survives errors (R34, R35)."""

from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import serializers
from django.utils import timezone
from django_q.models import Task

from astria_portal import astria
from astria_portal.models import CallbackReceipt
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, wait_for
from tests.tunes.retention_helpers import media_files, media_paths, trained_on_emulator
from tunes import retention, tasks
from tunes.models import DeletionRecord, TrainingImage, Tune
from tunes.purge import purge

pytestmark = pytest.mark.django_db


def due_moment(tune):
    return tune.retention_ends_at + timedelta(minutes=1)


def test_it_removes_every_file_and_row_of_a_tune_past_its_retention(
    media, emulator, make_tune, settings
):
    settings.RETENTION_DAYS = 10  # shorter than Astria's 30 days: the remote is still there
    tune = trained_on_emulator(make_tune, emulator, prompts=2)
    prompt_texts = list(tune.prompts.values_list("text", flat=True))
    files = media.files()
    assert len(files) == 4 + 2 * 2 * 2  # photos, then an image and a thumbnail per image
    assert tune.retention_ends_at == tune.trained_at + timedelta(days=10)

    with time_machine.travel(due_moment(tune), tick=False):
        report = purge()
    drain_queue()

    assert report.deleted == [tune.code]
    # No file left (the bucket is listed), and no folder named after the tune or a prompt.
    assert media.files() == []
    if media.kind == "disk":
        assert media_paths() == ["prompts", "tunes"]
    assert not TrainingImage.objects.exists()
    assert not Prompt.objects.exists()
    assert not GeneratedImage.objects.exists()
    assert not CallbackReceipt.objects.exists()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.EXPIRED
    deletes = emulator.requests("DELETE")
    assert [(d["path"], d["status"]) for d in deletes] == [(f"/tunes/{tune.remote_id}", 200)]
    assert emulator.remote_tunes() == []

    record = DeletionRecord.objects.get()
    assert (record.tune_code, record.remote_id, record.reason) == (
        tune.code,
        tune.remote_id,
        "retention",
    )
    assert (record.photos, record.prompts, record.images) == (4, 2, 4)
    assert record.trained_at == tune.trained_at

    # Nothing personal is left in any table but the user's own account (with its
    # addresses) and the tune row.
    dump = ""
    for model in apps.get_models():
        if model._meta.label not in ("auth.User", "account.EmailAddress", "tunes.Tune"):
            dump += serializers.serialize("json", model.objects.all())
    personal = [tune.name, tune.owner.email, tune.owner.username, *prompt_texts]
    personal += [name.rsplit("/", 1)[-1] for name in files]
    assert [value for value in personal if value in dump] == []


def test_a_tune_astria_already_expired_counts_as_deleted(emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    emulator.tune(tune.remote_id, "expire")  # Astria keeps tunes for 30 days too
    with time_machine.travel(due_moment(tune), tick=False):
        purge()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.EXPIRED
    assert [d["status"] for d in emulator.requests("DELETE")] == [404]
    assert media_files() == []
    assert DeletionRecord.objects.count() == 1


def test_a_500_leaves_the_tune_for_the_next_run_which_finishes_it(
    media, emulator, make_tune, settings
):
    settings.RETENTION_DAYS = 10
    tune = trained_on_emulator(make_tune, emulator)
    emulator.fault(method="DELETE", path=r"/tunes/\d+", status=500, times=1)
    first = due_moment(tune)

    with time_machine.travel(first, tick=False):
        report = purge()
        assert report.deleted == []
        assert report.waiting == [tune.code]
        assert retention.oldest_overdue() == timedelta(minutes=1)
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETING
    assert len(media.files()) == 4 + 2 * 2  # nothing local goes before Astria's copy
    assert not DeletionRecord.objects.exists()

    with time_machine.travel(first + timedelta(hours=1), tick=False):
        assert retention.oldest_overdue() == timedelta(hours=1, minutes=1)
        report = purge()
        assert report.deleted == [tune.code]
        assert retention.oldest_overdue() is None
    with time_machine.travel(first + timedelta(hours=2), tick=False):
        report = purge()
        assert (report.due, report.deleted, report.waiting) == ([], [], [])
        tasks.sweep_tunes()
    drain_queue()

    tune.refresh_from_db()
    assert tune.status == Tune.Status.EXPIRED
    assert [d["status"] for d in emulator.requests("DELETE")] == [500, 200]
    assert DeletionRecord.objects.count() == 1
    assert media.files() == []


def test_a_tune_a_minute_before_its_time_is_untouched(emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    files = media_files()
    with time_machine.travel(tune.retention_ends_at - timedelta(minutes=1), tick=False):
        report = purge()
        assert retention.oldest_overdue() is None
    assert report.due == []
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert media_files() == files
    assert emulator.requests("DELETE") == []


def test_only_the_tune_past_its_time_goes(emulator, make_tune, settings):
    settings.RETENTION_DAYS = 10
    old = trained_on_emulator(make_tune, emulator, name="Old")
    with time_machine.travel(timedelta(days=2)):
        young = trained_on_emulator(make_tune, emulator, name="Young", prompts=0)
    with time_machine.travel(due_moment(old), tick=False):
        purge()
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.status, young.status) == (Tune.Status.EXPIRED, Tune.Status.TRAINED)
    assert young.photos.count() == 4
    assert all(name.startswith(f"tunes/{young.code}/") for name in media_files())


def test_a_failed_tune_s_photos_go_after_the_retention_from_its_failure(media, make_tune):
    tune = make_tune()
    failed_at = timezone.now()
    Tune.objects.filter(pk=tune.pk).update(
        status=Tune.Status.FAILED, last_error="Too few faces", last_error_at=failed_at
    )
    tune.refresh_from_db()
    assert tune.retention_ends_at == failed_at + timedelta(days=30)
    with time_machine.travel(tune.retention_ends_at - timedelta(seconds=1), tick=False):
        assert purge().due == []
    with time_machine.travel(tune.retention_ends_at, tick=False):
        assert purge().deleted == [tune.code]  # never on Astria: nothing to ask it
    tune.refresh_from_db()
    assert tune.status == Tune.Status.EXPIRED
    assert media.files() == []


def test_a_tune_still_on_its_way_is_never_purged(make_tune):
    tune = make_tune()
    with time_machine.travel(timedelta(days=400)):
        assert purge().due == []
    assert Tune.objects.get(pk=tune.pk).status == Tune.Status.PENDING


def test_a_dry_run_lists_what_would_go_and_changes_nothing(emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    Task.objects.create(
        id="a" * 32, name="old", func="tunes.tasks.refresh_tune", args=(tune.pk,),
        started=timezone.now(), stopped=timezone.now(), success=True,
    )  # fmt: skip
    files = media_files()
    with time_machine.travel(due_moment(tune), tick=False):
        report = purge(dry_run=True)
    assert report.due == [tune]
    text = "\n".join(report.lines())
    assert str(tune.code) in text
    assert "4 photos, 1 prompts, 2 images" in text
    assert "Finished task rows older than 7 days would be removed: 1" in text
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert media_files() == files
    assert Task.objects.count() == 1
    assert CallbackReceipt.objects.count() == 2
    assert emulator.requests("DELETE") == []


def test_it_clears_old_task_rows_receipts_and_sessions(make_tune, client, owner):
    client.force_login(owner)
    assert Session.objects.count() == 1
    run_at = timezone.now() + timedelta(weeks=3)  # past the two-week session lifetime
    ages = {"old": (timedelta(days=7, minutes=1), timedelta(days=30, minutes=1)),
            "recent": (timedelta(days=6), timedelta(days=29))}  # fmt: skip
    for name, (task_age, receipt_age) in ages.items():
        stopped = run_at - task_age
        Task.objects.create(
            id=name.ljust(32, "0"), name=name, func="tunes.tasks.submit_tune", args=(1,),
            started=stopped, stopped=stopped, success=True,
        )  # fmt: skip
        receipt = CallbackReceipt.objects.create(
            kind="tune", object_code=make_tune().code, body_sha256=name, verdict="refresh"
        )
        CallbackReceipt.objects.filter(pk=receipt.pk).update(last_received_at=run_at - receipt_age)

    with time_machine.travel(run_at, tick=False):
        report = purge()
    assert (report.tasks, report.receipts) == (1, 1)
    assert list(Task.objects.values_list("name", flat=True)) == ["recent"]
    assert list(CallbackReceipt.objects.values_list("body_sha256", flat=True)) == ["recent"]
    assert Session.objects.count() == 0


def test_an_extended_tune_is_kept_while_astria_keeps_it(emulator, make_tune, settings):
    settings.RETENTION_DAYS = 10
    tune = trained_on_emulator(make_tune, emulator)
    Tune.objects.filter(pk=tune.pk).update(auto_extend=True)
    tune.refresh_from_db()
    with time_machine.travel(tune.trained_at + timedelta(days=20), tick=False):
        assert purge().due == []  # the portal's own 10 days do not apply
    client = astria.get_client()
    client.update_tune(tune.remote_id, auto_extend=True)
    renewed = tune.expires_at + timedelta(days=30)
    with time_machine.travel(tune.expires_at + timedelta(minutes=1), tick=False):
        # Astria renews it for another 30 days (the emulator's clock ticks on its own).
        wait_for(lambda: client.get_tune(tune.remote_id), lambda r: r.expires_at == renewed)
        report = purge()
    assert report.extended == [tune.code]
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert tune.expires_at == tune.trained_at + timedelta(days=60)
    assert emulator.requests("DELETE") == []
