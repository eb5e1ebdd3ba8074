"""The new fine-tune form does its costly work last and bounded: every photo is
checked from its header first, repeated files and forms over the pixel budget are
refused before anything is decoded, and decoding holds one of the machine's upload
slots (a form that finds none free is asked to try again, 503)."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from astria_portal import slots
from tests.helpers import photo_uploads
from tests.tunes import photo_fixtures as fx
from tunes import forms
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def form_data(photos, **fields):
    return {"name": "Me", "class_name": "woman", "model_kind": "sd15", "photos": photos, **fields}


def pngs(data, count):
    return [SimpleUploadedFile(f"p{n}.png", data, "image/png") for n in range(count)]


@pytest.fixture
def decodes(monkeypatch):
    """The size of every picture that gets decoded."""
    decoded = []
    load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or load(image)
    )
    return decoded


def photo_errors(response):
    return response.context["form"].errors.get("photos", [])


def test_the_reported_attack_is_refused_from_the_headers(owner_client, decodes):
    # 20 copies of a 40-megapixel PNG of one colour: 6 KB here, 128 KB in RGB.
    response = owner_client.post("/tunes/new/", form_data(pngs(fx.black_1bit_png(6320, 6320), 20)))

    assert response.status_code == 200
    assert photo_errors(response)[0] == (
        "p0.png has too many pixels for a PNG photo; the maximum is 25 megapixels. "
        "Save it smaller, or save it as a JPEG."
    )
    assert decodes == []
    assert not Tune.objects.exists()


def test_the_same_file_twice_is_refused_before_anything_is_decoded(owner_client, decodes):
    response = owner_client.post("/tunes/new/", form_data(pngs(fx.encode(fx.picture(), "PNG"), 4)))

    assert photo_errors(response) == [f"p{n}.png is the same picture as p0.png." for n in (1, 2, 3)]
    assert decodes == []


def test_a_form_over_the_pixel_budget_is_refused_before_anything_is_decoded(
    owner_client, settings, decodes
):
    settings.TUNE_MAX_DECODED_PIXELS = 4 * 640 * 800 - 1

    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4)))

    assert photo_errors(response) == [
        "These photos are too large to prepare together: 2 megapixels to decode, "
        "and one fine-tune can take 2.048. Choose fewer or smaller photos."
    ]
    assert decodes == []
    settings.TUNE_MAX_DECODED_PIXELS = 4 * 640 * 800
    assert owner_client.post("/tunes/new/", form_data(photo_uploads(4))).status_code == 302


def test_jpegs_count_at_the_size_they_decode_at(owner_client, settings, decodes):
    # 4400 x 3000 decodes at half size, 3.3 megapixels, within a budget of 4 a photo.
    settings.PHOTO_MAX_DECODED_PIXELS = 4_000_000
    photos = [
        SimpleUploadedFile(f"{n}.jpg", fx.encode(fx.picture(4400, 3000, (n * 60, 90, 90)), "JPEG"))
        for n in range(4)
    ]

    assert owner_client.post("/tunes/new/", form_data(photos)).status_code == 302
    assert set(decodes) == {(2200, 1500)}


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF"])
def test_a_photo_that_would_decode_over_the_budget_is_refused(settings, image_format):
    settings.PHOTO_MAX_DECODED_PIXELS = 600 * 800 - 1
    from tests.tunes.test_photos import rejection

    error = rejection(fx.encode(fx.picture(), image_format), "big.img")

    assert error.code == "photo_too_many_pixels_to_decode"
    assert error.messages[0].startswith("big.img has too many pixels for a ")
    assert "0.479999 megapixels. Save it smaller, or save it as a JPEG." in error.messages[0]


def test_photos_are_not_decoded_when_another_field_is_refused(owner_client, decodes):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), name=""))

    assert "name" in response.context["form"].errors
    assert decodes == []


def test_decoding_stops_in_time_on_a_machine_too_busy(owner_client, monkeypatch, decodes):
    monkeypatch.setattr(forms, "PREPARE_SECONDS", 0)

    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4)))

    assert response.status_code == 200
    assert photo_errors(response) == [
        "The portal is too busy to prepare so many photos right now. "
        "Please try again in a moment, or with fewer or smaller photos."
    ]
    assert decodes == []
    assert not Tune.objects.exists()


# Upload slots: a lock file per slot, held across processes


HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def holder():
    """Take the first upload slot from another process; yield that process."""
    slots.folder().mkdir(mode=0o700, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(slots.path("uploads", 0))],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


def test_a_form_that_finds_every_slot_taken_is_asked_to_try_again(owner_client, holder, decodes):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), name="Summer"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "The portal is busy preparing other photos right now." in page
    assert 'value="Summer"' in page  # what was typed stays
    assert decodes == []
    assert not Tune.objects.exists()


def test_a_slot_is_free_again_when_its_process_dies(owner_client, holder):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()

    assert owner_client.post("/tunes/new/", form_data(photo_uploads(4))).status_code == 302


def test_more_slots_let_more_forms_be_decoded_at_once(owner_client, holder, settings):
    settings.UPLOADS_AT_ONCE = 2
    assert owner_client.post("/tunes/new/", form_data(photo_uploads(4))).status_code == 302

    settings.UPLOADS_AT_ONCE = 0  # no limit
    assert owner_client.post("/tunes/new/", form_data(photo_uploads(4, 4))).status_code == 302


def test_a_refused_form_never_waits_for_a_slot(owner_client, holder):
    response = owner_client.post("/tunes/new/", form_data(photo_uploads(4), name=""))

    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_a_slot_is_released_when_the_work_fails():
    with pytest.raises(RuntimeError), slots.slot("uploads", 1):
        raise RuntimeError("the decoder failed")

    with slots.slot("uploads", 1), pytest.raises(slots.Busy), slots.slot("uploads", 1):
        pass
