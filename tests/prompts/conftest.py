import io

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, jpeg_bytes, wait_for
from tunes.models import Tune


def png_bytes(seed=0, size=(96, 120)):
    image = Image.new("RGB", size, ((seed * 53) % 256, 120, (seed * 29) % 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def add_image(prompt, position, ready=True):
    """A generated image row; with its files saved, as after a download, when ready."""
    image = GeneratedImage(
        prompt=prompt,
        position=position,
        remote_url=f"https://sdbooth2-production.s3.amazonaws.com/{prompt.code}/{position}.png",
    )
    if ready:
        content = png_bytes(seed=position + prompt.pk)
        image.file.save("image.png", ContentFile(content), save=False)
        thumb = jpeg_bytes(seed=position, size=(48, 60))
        image.thumbnail.save("thumb.jpg", ContentFile(thumb), save=False)
        image.content_type, image.size = "image/png", len(content)
        image.width, image.height = 96, 120
        image.downloaded_at = timezone.now()
    else:
        image.next_attempt_at = timezone.now()
    image.save()
    return image


@pytest.fixture
def trained_tune(make_tune):
    return make_tune(status=Tune.Status.TRAINED, remote_id=1001, photos=1)


@pytest.fixture
def make_prompt(trained_tune):
    def make(tune=None, images=4, ready=None, status=Prompt.Status.DONE, **fields):
        fields.setdefault("text", "a corporate headshot of a woman in a navy suit")
        fields.setdefault("num_images", max(images, 1))
        prompt = Prompt.objects.create(tune=tune or trained_tune, status=status, **fields)
        ready = images if ready is None else ready
        for position in range(images):
            add_image(prompt, position, ready=position < ready)
        return prompt

    return make


# Over real HTTP to the emulator


@pytest.fixture
def emulator_media(emulator, emulator_server, settings):
    """The emulator with its file host on the download allow-list."""
    settings.ASTRIA_MEDIA_HOSTS = [emulator_server.media_url]
    return emulator


@pytest.fixture
def astria_tune(emulator_media, make_tune):
    """A tune that Astria (the emulator) has trained."""

    def make(**fields):
        tune = make_tune(**fields)
        tune.submit()
        drain_queue()
        tune.refresh_from_db()
        emulator_media.tune(tune.remote_id, "finish")
        tune.apply_remote(tune.fetch_remote(_client()))
        tune.refresh_from_db()
        assert tune.status == Tune.Status.TRAINED
        return tune

    return make


@pytest.fixture
def submit_prompt():
    def make(tune, **fields):
        fields.setdefault("text", "a corporate headshot of a woman in a navy suit")
        fields.setdefault("num_images", 2)
        with transaction.atomic():
            prompt = Prompt.objects.create(tune=tune, **fields)
            prompt.submit()
        return prompt

    return make


def finish(prompt, control):
    """Let the emulator finish the prompt now and wait until its images exist."""
    control.prompt(prompt.remote_id, "finish")
    client = _client()
    return wait_for(lambda: client.get_prompt(prompt.remote_id), lambda r: r.is_done)


def _client():
    from astria_portal import astria

    return astria.get_client()
