"""Deleting an account everywhere: on Astria (the emulator over real HTTP), in storage
and in the database, with work still in flight."""

from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import AccountDeletion
from astria_portal import astria, submission
from astria_portal.callbacks import callback_url
from pages.models import Change
from prompts.models import Prompt
from tests.helpers import drain_queue, photo_uploads, queued_funcs
from tunes.models import DeletionRecord, Tune
from tunes.tasks import _create

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
TUNE = {"name": "Summer of Alice", "class_name": "woman", "model_kind": "sd15", "test_mode": "on"}
PERSONAL = ("alice", "Summer of Alice", "lighthouse at dusk")


def start_training(client, emulator, name=TUNE["name"]):
    emulator.config(train_seconds=3600)
    assert (
        client.post("/tunes/new/", {**TUNE, "name": name, "photos": photo_uploads(4)}).status_code
        == 302
    )
    drain_queue()
    tune = Tune.objects.get(name=name)
    assert tune.status == Tune.Status.TRAINING and tune.remote_id
    return tune


def write_prompt(client, tune):
    response = client.post(f"/prompts/for/{tune.code}/new/",
                           {"text": "a portrait by a lighthouse at dusk", "num_images": 2,
                            "aspect_ratio": "1:1"})  # fmt: skip
    assert response.status_code == 302
    prompt = Prompt.objects.get(tune=tune)
    assert prompt.status == Prompt.Status.PENDING
    return prompt


def callback(client, kind, job):
    url = urlsplit(callback_url(kind, job))
    return client.post(f"{url.path}?{url.query}", b"{}", content_type="application/json")


def rows_naming(words):
    """Every row, of every table, whose values mention one of the words."""
    found = []
    for model in apps.get_models():
        for row in model.objects.values():
            text = " ".join(str(value) for value in row.values()).lower()
            found += [(model.__name__, word) for word in words if word.lower() in text]
    return found


def test_a_user_with_a_tune_training_and_a_prompt_pending_is_deleted_everywhere(
    media, emulator, owner, owner_client, outsider, settings
):
    tune = start_training(owner_client, emulator)
    prompt = write_prompt(owner_client, tune)  # its submission is still queued
    other_browser = Client()
    other_browser.force_login(owner)
    assert any(name.startswith(f"tunes/{tune.code}/") for name in media.files())
    assert len(emulator.remote_tunes()) == 1

    assert owner_client.get("/accounts/delete/").status_code == 200
    response = owner_client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    # Logged out everywhere, at once: this browser and the other one.
    assert owner_client.get("/tunes/").status_code == 302
    assert other_browser.get("/tunes/").status_code == 302
    assert (
        owner_client.post("/accounts/login/", {"login": "alice", "password": PASSWORD}).status_code
        == 200
    )

    # A callback for their tune changes nothing now.
    assert callback(owner_client, "tune", tune).status_code == 204
    assert "tunes.tasks.refresh_tune" not in queued_funcs()

    drain_queue()

    assert [t for t in emulator.remote_tunes()] == []
    assert [p for p in emulator.remote_prompts()] == []
    assert not emulator.requests("POST", f"/tunes/{tune.remote_id}/prompts")
    assert emulator.requests("DELETE", f"/tunes/{tune.remote_id}")
    assert media.files() == []
    assert rows_naming(PERSONAL) == []
    assert rows_naming(["alice@example.com"]) == []
    assert not Change.objects.filter(user_id=owner.pk).exists()  # what changed, for whom
    assert callback(owner_client, "tune", tune).status_code == 404
    assert callback(owner_client, "prompt", prompt).status_code == 404

    deletion = AccountDeletion.objects.get()
    assert (deletion.status, deletion.tunes, deletion.prompts) == ("done", 1, 1)
    assert deletion.user is None and deletion.notify_email == ""
    record = DeletionRecord.objects.get(tune_code=tune.code)
    # Its prompts went first, one by one: the account's record counts them.
    assert (record.photos, record.prompts, record.reason) == (4, 0, "user")
    [message] = [m for m in mail.outbox if "deleted" in m.subject]
    assert message.to == ["alice@example.com"]
    assert outsider.tune_set.count() == 0 and type(outsider).objects.filter(pk=outsider.pk).exists()


def test_a_tune_whose_create_may_have_reached_astria_is_found_and_deleted(
    emulator, owner, owner_client
):
    emulator.config(train_seconds=3600)
    owner_client.post("/tunes/new/", {**TUNE, "photos": photo_uploads(4)})
    tune = Tune.objects.get()
    # A worker claims the submission, posts it, and dies before recording the answer.
    claimed, _ = submission.claim(Tune, tune.pk)
    _create(astria.get_client(), claimed)
    assert len(emulator.remote_tunes()) == 1

    owner_client.post("/accounts/delete/", {"password": PASSWORD})
    drain_queue()
    deletion = AccountDeletion.objects.get()
    assert deletion.status == "running"  # waiting for the dead worker's lease
    assert len(emulator.remote_tunes()) == 1

    # The lease runs out; the sweeps pick the deletion up again.
    Tune.objects.filter(pk=tune.pk).update(next_attempt_at=timezone.now())
    AccountDeletion.objects.update(next_attempt_at=timezone.now())
    from accounts.tasks import sweep_deletions

    sweep_deletions()
    drain_queue()
    assert emulator.remote_tunes() == []
    assert AccountDeletion.objects.get().status == "done"
    assert not type(owner).objects.filter(pk=owner.pk).exists()


def test_when_astria_fails_the_deletion_is_retried_until_it_confirms(emulator, owner, owner_client):
    tune = start_training(owner_client, emulator)
    emulator.fault("DELETE", f"/tunes/{tune.remote_id}", status=503, times=1)
    owner_client.post("/accounts/delete/", {"password": PASSWORD})
    drain_queue()
    assert AccountDeletion.objects.get().status == "running"
    assert type(owner).objects.filter(pk=owner.pk, is_active=False).exists()

    Tune.objects.filter(pk=tune.pk).update(next_attempt_at=timezone.now())
    AccountDeletion.objects.update(next_attempt_at=timezone.now())
    from accounts.tasks import sweep_deletions

    sweep_deletions()
    drain_queue()
    assert emulator.remote_tunes() == []
    assert AccountDeletion.objects.get().status == "done"


def test_the_password_is_asked_again(owner_client, owner):
    response = owner_client.post("/accounts/delete/", {"password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not AccountDeletion.objects.exists()
    owner.refresh_from_db()
    assert owner.is_active
