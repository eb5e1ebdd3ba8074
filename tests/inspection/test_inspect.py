"""Photo inspection before training: findings in plain words, characteristics kept
and sent, and never a gate."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from tests.helpers import drain_queue, photo_uploads
from tunes.models import Tune


def sharp_photo(hat=False):
    """A photo with plenty of edges; with the emulator's hat marker (pure red) on top."""
    image = Image.new("RGB", (640, 800), (120, 110, 100))
    draw = ImageDraw.Draw(image)
    for x in range(0, 640, 16):
        draw.line((x, 0, x, 800), fill=(240, 240, 240), width=2)
    if hat:
        draw.rectangle((180, 0, 460, 140), fill=(255, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def blurry_photo():
    out = io.BytesIO()
    Image.new("RGB", (640, 800), (130, 120, 110)).save(out, "JPEG")
    return out.getvalue()


def inspect(client, content, name="man"):
    upload = SimpleUploadedFile("me.jpg", content, content_type="image/jpeg")
    return client.post("/inspect/", {"name": name, "file": upload})


@pytest.mark.django_db
def test_a_photo_with_a_hat_is_flagged_in_plain_words(owner_client, emulator):
    answer = inspect(owner_client, sharp_photo(hat=True)).json()
    assert answer["checked"] is True
    assert answer["findings"] == ["wearing_hat"]
    assert answer["notes"] == ["a hat"]
    assert set(answer["characteristics"]) >= {"age", "eye_color", "hair_color"}
    [sent] = emulator.requests("POST", "/images/inspect")
    assert sent["status"] == 200


@pytest.mark.django_db
def test_a_blurry_photo_is_flagged(owner_client, emulator):
    assert inspect(owner_client, blurry_photo()).json()["notes"] == ["blurry"]


@pytest.mark.django_db
def test_a_good_photo_has_no_findings(owner_client, emulator):
    answer = inspect(owner_client, sharp_photo()).json()
    assert answer == {**answer, "checked": True, "findings": [], "notes": []}


@pytest.mark.django_db
@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 422}, {"drop": True}])
def test_when_astria_fails_the_answer_is_quietly_unchecked(owner_client, emulator, fault, caplog):
    emulator.fault("POST", "/images/inspect", times=3, **fault)
    response = inspect(owner_client, sharp_photo(hat=True))
    assert response.status_code == 200
    assert response.json() == {"checked": False}
    assert "Photo inspection failed" in caplog.text


@pytest.mark.django_db
def test_only_signed_in_users_and_a_photo(owner_client, emulator):
    assert inspect(Client(), sharp_photo(hat=True)).status_code == 302
    assert owner_client.post("/inspect/", {"name": "man"}).status_code == 400
    assert emulator.requests("POST", "/images/inspect") == []


@pytest.mark.django_db
def test_characteristics_are_kept_on_the_tune_and_sent_to_astria(owner_client, emulator):
    chosen = {"eye_color": "blue eyes", "age": "30 yo", "bogus": "x", "hair_color": "{{evil}}"}
    data = {"name": "Me", "class_name": "man", "model_kind": "sd15", "test_mode": "on"}
    data["characteristics"] = json.dumps(chosen)
    response = owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)})
    assert response.status_code == 302
    tune = Tune.objects.get()
    assert tune.characteristics == {"eye_color": "blue eyes", "age": "30 yo"}
    drain_queue()
    [remote] = [t for t in emulator.remote_tunes() if t["title"] == str(tune.title)]
    assert remote["characteristics"] == {"eye_color": "blue eyes", "age": "30 yo"}


@pytest.mark.django_db
def test_a_bad_characteristics_field_never_refuses_the_form(owner_client, emulator):
    data = {"name": "Me", "class_name": "man", "model_kind": "sd15", "characteristics": "{oops"}
    response = owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)})
    assert response.status_code == 302
    assert Tune.objects.get().characteristics == {}


@pytest.mark.django_db
def test_deleting_the_tune_removes_its_characteristics(make_tune, emulator):
    from tunes.tasks import delete_tune

    tune = make_tune(characteristics={"age": "30 yo", "ethnicity": "korean"})
    tune.mark_deleting()
    delete_tune(tune.pk)
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETED
    assert tune.characteristics == {}


@pytest.mark.django_db
def test_past_the_hourly_limit_photos_are_not_checked(owner_client, emulator, settings):
    settings.PHOTO_INSPECTIONS_PER_HOUR = 2
    answers = [inspect(owner_client, sharp_photo()).json()["checked"] for _ in range(3)]
    assert answers == [True, True, False]
    assert len(emulator.requests("POST", "/images/inspect")) == 2
