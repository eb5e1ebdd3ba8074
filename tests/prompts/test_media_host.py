"""Images come from Astria's media host, which is not its API (mp.astria.ai, not api.astria.ai)."""

from urllib.parse import urlsplit

import pytest
import requests

from prompts import tasks
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue
from tests.prompts.conftest import finish

pytestmark = pytest.mark.django_db


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def finished_prompt(emulator_media, astria_tune, submit_prompt):
    tune = astria_tune()
    prompt = submit_prompt(tune)
    drain_queue()
    prompt.refresh_from_db()
    finish(prompt, emulator_media)
    tasks.refresh_prompt(prompt.pk)
    return prompt


def test_a_prompts_images_are_downloaded_from_the_media_origin(
    emulator_media, astria_tune, submit_prompt
):
    assert emulator_media.media_url != emulator_media.base_url
    prompt = finished_prompt(emulator_media, astria_tune, submit_prompt)

    drain_queue()

    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DONE
    images = list(GeneratedImage.objects.filter(prompt=prompt).order_by("position"))
    assert len(images) == 2
    for image in images:
        assert origin(image.remote_url) == emulator_media.media_url
        with image.file.open("rb") as stored:
            assert stored.read() == requests.get(image.remote_url, timeout=5).content


def test_with_only_the_api_origin_allowed_the_images_are_refused(
    emulator_media, astria_tune, submit_prompt, settings
):
    settings.ASTRIA_MEDIA_HOSTS = [emulator_media.base_url]
    prompt = finished_prompt(emulator_media, astria_tune, submit_prompt)

    drain_queue()

    images = list(GeneratedImage.objects.filter(prompt=prompt))
    assert len(images) == 2
    for image in images:
        assert not image.file
        assert "not an allowed image host" in image.last_error
