"""ZIP downloads of every image of a tune, or of one prompt, streamed."""

import io
import os
import zipfile
from datetime import timedelta

import pytest
from django.core.files import File
from django.core.files.base import ContentFile
from django.http import StreamingHttpResponse
from django.utils import timezone

from prompts import zips
from prompts.models import Prompt
from tests.prompts.conftest import add_image
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def archive(response):
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def folder(prompt, text):
    day = timezone.localdate(prompt.created_at).isoformat()
    return f"me-in-summer/{day}-{text}-{prompt.code.hex[:8]}"


def stored(image):
    with image.file.open("rb") as source:
        return source.read()


def test_the_tune_zip_holds_every_downloaded_image_under_readable_names(
    media, owner_client, make_prompt
):
    first = make_prompt(
        images=2, text="A corporate headshot of a woman in a navy suit, soft light",
        created_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    second = make_prompt(images=3, ready=2, text="Ünïcode & <symbols>!")
    failed = make_prompt(images=0, status=Prompt.Status.FAILED, text="nothing here")
    response = owner_client.get(f"/prompts/for/{first.tune.code}/images.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="me-in-summer-images.zip"'
    assert response["Cache-Control"] == "private, no-store"
    with archive(response) as zipped:
        assert zipped.testzip() is None
        names = zipped.namelist()
        headshot = folder(first, "a-corporate-headshot-of-a-woman-in-a")  # whole words
        unicode = folder(second, "unicode-symbols")
        expected = {
            f"{headshot}/01.png": first.images.get(position=0),
            f"{headshot}/02.png": first.images.get(position=1),
            f"{unicode}/01.png": second.images.get(position=0),
            f"{unicode}/02.png": second.images.get(position=1),
        }
        assert sorted(names) == sorted(expected)
        for name, image in expected.items():
            assert zipped.read(name) == stored(image), name
            assert zipped.getinfo(name).compress_type == zipfile.ZIP_STORED
    assert failed.pk  # a prompt without images adds no folder


def test_the_prompt_zip_holds_that_prompts_images_only(media, owner_client, make_prompt):
    other = make_prompt(images=2, text="other")
    prompt = make_prompt(images=4, text="a studio portrait")
    response = owner_client.get(f"/prompts/{prompt.code}/images.zip")
    prefix = folder(prompt, "a-studio-portrait")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{prefix.replace("/", "-")}.zip"'
    )
    with archive(response) as zipped:
        assert zipped.namelist() == [f"{prefix}/{n:02d}.png" for n in range(1, 5)]
        for image in prompt.images.all():
            assert zipped.read(f"{prefix}/{image.position + 1:02d}.png") == stored(image)
    assert other.images.count() == 2


def test_a_tune_without_images_gets_a_message_not_an_empty_zip(
    owner_client, make_prompt, trained_tune
):
    make_prompt(images=2, ready=0)
    response = owner_client.get(f"/prompts/for/{trained_tune.code}/images.zip", follow=True)
    assert response.redirect_chain == [(trained_tune.get_absolute_url(), 302)]
    assert b"There are no downloaded images to put in a ZIP file yet." in response.content


def test_a_prompt_without_images_gets_a_message(owner_client, make_prompt):
    prompt = make_prompt(images=0, status=Prompt.Status.GENERATING)
    response = owner_client.get(f"/prompts/{prompt.code}/images.zip")
    assert response.status_code == 302
    assert response["Location"] == prompt.get_absolute_url()


def test_images_of_prompts_being_deleted_are_left_out(owner_client, make_prompt):
    kept = make_prompt(images=1, text="kept")
    going = make_prompt(images=1, text="going")
    going.mark_deleting()
    with archive(owner_client.get(f"/prompts/for/{kept.tune.code}/images.zip")) as zipped:
        assert [name.split("/")[1].split("-")[3] for name in zipped.namelist()] == ["kept"]
    assert owner_client.get(f"/prompts/{going.code}/images.zip").status_code == 404


def test_the_zip_is_written_a_storage_chunk_at_a_time(media, make_prompt):
    """No chunk is bigger than one storage read plus headers: memory does not grow with files."""
    prompt = make_prompt(images=0)
    images = []
    for position in range(3):
        image = add_image(prompt, position)
        content = os.urandom(200_000)
        image.file.save("big.png", ContentFile(content), save=False)
        image.size = len(content)
        images.append(image)
    chunks = list(zips.stream_zip(images))
    assert max(len(chunk) for chunk in chunks) <= File.DEFAULT_CHUNK_SIZE + 200
    assert len(chunks) >= 3 * 4  # 200 kB is four storage chunks
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zipped:
        assert zipped.testzip() is None
        assert [zipped.read(name) for name in zipped.namelist()] == [stored(i) for i in images]


def test_a_file_gone_from_storage_is_skipped(media, make_prompt):
    prompt = make_prompt(images=2)
    images = list(prompt.images.select_related("prompt__tune"))
    images[0].file.storage.delete(images[0].file.name)
    with zipfile.ZipFile(io.BytesIO(b"".join(zips.stream_zip(images)))) as zipped:
        assert [name[-6:] for name in zipped.namelist()] == ["02.png"]


def test_a_long_word_is_cut_at_40_characters():
    prompt = Prompt(text="x" * 60, tune=Tune(name="Me"))
    assert zips.prompt_slug(prompt).split("-")[3] == "x" * 40


def test_names_stay_readable_for_any_text():
    prompt = Prompt(text="!!!", tune=Tune(name="日本語"))
    assert zips.tune_slug(prompt.tune) == "fine-tune"
    assert zips.prompt_slug(prompt).endswith(f"-prompt-{prompt.code.hex[:8]}")
