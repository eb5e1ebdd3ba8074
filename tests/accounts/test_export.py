"""A user's data, exported: a ZIP built in the background, downloaded by its owner only."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.exports import purge
from accounts.models import DataExport
from prompts.models import Prompt
from tests.accounts.helpers import link_in
from tests.helpers import drain_queue
from tests.prompts.conftest import add_image
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(make_tune):
    tune = make_tune(name="Summer", status=Tune.Status.TRAINED, remote_id=4242,
                     trained_at=timezone.now())  # fmt: skip
    prompt = Prompt.objects.create(tune=tune, text="a portrait in the rain", num_images=2,
                                   status=Prompt.Status.DONE, remote_id=777)  # fmt: skip
    add_image(prompt, 0)
    add_image(prompt, 1)
    return tune, prompt


def export_zip(client, media):
    response = client.post("/accounts/export/")
    assert response.status_code == 302
    drain_queue()
    [message] = [m for m in mail.outbox if "ready to download" in m.subject]
    served = media.get(client, link_in(message, "/accounts/export/"))
    assert served.status_code == 200
    assert "attachment" in served["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(served.content))


def test_the_zip_holds_the_account_the_tunes_the_prompts_the_photos_and_the_images(
    media, owner_client, owner, work
):
    tune, prompt = work
    archive = export_zip(owner_client, media)
    names = archive.namelist()
    folder = f"tunes/summer-{tune.code.hex[:8]}"
    assert "account.json" in names
    assert [n for n in names if n.startswith(f"{folder}/photos/")] == [
        f"{folder}/photos/0{i}.jpg" for i in range(1, 5)
    ]
    images = [n for n in names if n.startswith(f"{folder}/prompts/")]
    assert len(images) == 2 and all(n.endswith(".png") for n in images)
    assert archive.read(images[0]) == prompt.images.get(position=0).file.read()
    assert archive.read(f"{folder}/photos/01.jpg") == tune.photos.get(position=0).file.read()

    account = json.loads(archive.read("account.json"))
    assert account["username"] == "alice"
    assert account["email_addresses"] == [
        {"email": "alice@example.com", "verified": True, "primary": True}
    ]
    data = json.loads(archive.read(f"{folder}/tune.json"))
    assert data["remote_id"] == 4242 and data["code"] == str(tune.code)
    assert data["trained_at"]
    [sent] = data["prompts"]
    assert sent["remote_id"] == 777 and sent["text"] == "a portrait in the rain"
    assert [image["file"] for image in sent["images"]] == [
        name.removeprefix(f"{folder}/") for name in images
    ]


def test_the_account_page_shows_the_link_while_it_is_valid(owner_client, work):
    owner_client.post("/accounts/export/")
    assert b"Being put together" in owner_client.get("/accounts/").content
    drain_queue()
    export = DataExport.objects.get()
    page = owner_client.get("/accounts/").content.decode()
    assert export.get_absolute_url() in page


def test_another_user_gets_404(owner_client, client, outsider, work):
    owner_client.post("/accounts/export/")
    drain_queue()
    export = DataExport.objects.get()
    client.force_login(outsider)
    assert client.get(export.get_absolute_url()).status_code == 404


def test_the_link_expires_and_the_hourly_purge_deletes_the_file(media, owner_client, work,
                                                                settings):  # fmt: skip
    owner_client.post("/accounts/export/")
    drain_queue()
    export = DataExport.objects.get()
    assert any(name.startswith(f"exports/{export.code}/") for name in media.files())
    later = timezone.now() + timedelta(hours=settings.EXPORT_LINK_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        assert owner_client.get(export.get_absolute_url()).status_code == 404
        assert purge() == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.EXPIRED
    assert not any(name.startswith("exports/") for name in media.files())


def test_a_second_request_while_one_is_built_starts_no_other(owner_client, work):
    owner_client.post("/accounts/export/")
    owner_client.post("/accounts/export/")
    assert DataExport.objects.count() == 1


def test_a_failed_build_is_said_on_the_page_and_a_new_one_can_be_asked_for(
    owner_client, work, monkeypatch
):
    from accounts import exports

    def broken(target, user):
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write_zip", broken)
    owner_client.post("/accounts/export/")
    drain_queue()
    assert DataExport.objects.get().status == DataExport.Status.FAILED
    assert b"An export failed" in owner_client.get("/accounts/").content
    monkeypatch.undo()
    owner_client.post("/accounts/export/")
    drain_queue()
    assert DataExport.objects.filter(status=DataExport.Status.READY).count() == 1


def test_the_export_holds_the_favourites_and_the_chosen_look(media, owner_client, work):
    tune, prompt = work
    Tune.objects.filter(pk=tune.pk).update(preset="flux-lora-portrait")
    Prompt.objects.filter(pk=prompt.pk).update(style="Cinematic", film_grain=True)
    prompt.images.get(position=1).mark_favourite(True)
    archive = export_zip(owner_client, media)
    data = json.loads(archive.read(f"tunes/summer-{tune.code.hex[:8]}/tune.json"))
    assert data["preset"] == "flux-lora-portrait"
    [sent] = data["prompts"]
    assert (sent["style"], sent["color_grading"], sent["film_grain"]) == ("Cinematic", "", True)
    assert [image["favourite_at"] is not None for image in sent["images"]] == [False, True]
