"""Keeping our own copies of generated images: allowed hosts only, within limits (R8, R9)."""

import io
from datetime import timedelta

import pytest
import responses
import time_machine
from django.utils import timezone
from PIL import Image

from prompts import tasks
from prompts.models import GeneratedImage, Prompt

pytestmark = pytest.mark.django_db

ASTRIA_HOST = "https://sdbooth2-production.s3.amazonaws.com"


def png_bytes(size=(1024, 1024)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def image(make_tune, settings):
    settings.ASTRIA_MEDIA_HOSTS = ["sdbooth2-production.s3.amazonaws.com"]
    tune = make_tune()
    prompt = Prompt.objects.create(tune=tune, text="x", status=Prompt.Status.DONE, remote_id=9)

    def make(url=f"{ASTRIA_HOST}/sb806vy5dbscmkmy649106cum8eb"):
        return GeneratedImage.objects.create(
            prompt=prompt, position=0, remote_url=url, next_attempt_at=timezone.now()
        )

    return make


@responses.activate
def test_it_stores_the_image_and_a_small_thumbnail(media, image):
    row = image()
    responses.get(row.remote_url, body=png_bytes(), content_type="image/png")
    assert tasks.download_image(row.pk) == "stored"
    row.refresh_from_db()
    assert (row.width, row.height, row.content_type) == (1024, 1024, "image/png")
    assert row.file.name.startswith(f"prompts/{row.prompt.code}/")
    assert row.file.name.endswith(".png")
    assert row.size == row.file.size
    thumb = Image.open(row.thumbnail.open("rb"))
    assert thumb.format == "JPEG" and max(thumb.size) == 480
    assert row.next_attempt_at is None and row.downloaded_at is not None
    assert "Authorization" not in responses.calls[0].request.headers
    assert tasks.download_image(row.pk) == "not due"  # a second run fetches nothing
    assert len(responses.calls) == 1
    photos = list(row.prompt.tune.photos.values_list("file", flat=True))
    assert media.files() == sorted([*photos, row.file.name, row.thumbnail.name])


@responses.activate(assert_all_requests_are_fired=False)
@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://evil.example.com/image.png",
        "http://sdbooth2-production.s3.amazonaws.com/plain-http.png",
        "https://sdbooth2-production.s3.amazonaws.com.evil.example/x.png",
        "https://user:pw@sdbooth2-production.s3.amazonaws.com/x.png",
        "https://sdbooth2-production.s3.amazonaws.com:8443/x.png",
    ],
)
def test_it_refuses_hosts_off_the_allow_list_without_asking_them(image, url, caplog):
    row = image(url)
    assert tasks.download_image(row.pk) == "refused"
    assert len(responses.calls) == 0  # responses would fail on any request anyway
    row.refresh_from_db()
    assert not row.file and row.remote_url == url
    assert "not an allowed image host" in row.last_error
    assert row.next_attempt_at is None
    assert "download refused" in caplog.text


@responses.activate
def test_it_refuses_an_oversize_image_by_its_header_and_by_its_body(image, settings):
    settings.IMAGE_MAX_BYTES = 10_000
    row = image()
    responses.get(row.remote_url, body=png_bytes((2000, 2000)), content_type="image/png")
    assert tasks.download_image(row.pk) == "refused"
    row.refresh_from_db()
    assert "larger than" in row.last_error and not row.file


@responses.activate
def test_it_refuses_a_body_that_is_not_an_image(image):
    row = image()
    responses.get(row.remote_url, body=b"<html>not an image</html>", content_type="image/png")
    assert tasks.download_image(row.pk) == "refused"
    row.refresh_from_db()
    assert "not a usable image" in row.last_error and not row.file


@responses.activate
def test_it_does_not_follow_redirects(image):
    row = image()
    responses.get(row.remote_url, status=302, headers={"Location": "http://169.254.169.254/"})
    assert tasks.download_image(row.pk) == "retry"
    assert len(responses.calls) == 1


@responses.activate
def test_a_failed_download_is_retried_and_keeps_the_remote_url(image):
    row = image()
    responses.get(row.remote_url, status=503)
    assert tasks.download_image(row.pk) == "retry"
    row.refresh_from_db()
    assert row.attempts == 1 and row.remote_url.startswith(ASTRIA_HOST)
    assert 30 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 46

    responses.replace(responses.GET, row.remote_url, body=png_bytes(), content_type="image/png")
    assert tasks.download_image(row.pk) == "not due"
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert tasks.sweep_prompts() == 0
        from tests.helpers import drain_queue

        assert drain_queue() == ["prompts.tasks.download_image"]
    row.refresh_from_db()
    assert row.is_ready


@responses.activate
def test_it_gives_up_after_the_maximum_attempts_but_keeps_the_url(image, settings):
    settings.IMAGE_DOWNLOAD_ATTEMPTS = 2
    row = image()
    responses.get(row.remote_url, status=500)
    assert tasks.download_image(row.pk) == "retry"
    GeneratedImage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert tasks.download_image(row.pk) == "gave up"
    row.refresh_from_db()
    assert row.next_attempt_at is None and row.remote_url and not row.file
