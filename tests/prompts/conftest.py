import pytest
from django.db import transaction

from prompts.models import Prompt
from tests.helpers import drain_queue, wait_for
from tunes.models import Tune


@pytest.fixture
def emulator_media(emulator, emulator_server, settings):
    """The emulator with its file host on the download allow-list."""
    settings.ASTRIA_MEDIA_HOSTS = [emulator_server.base_url]
    return emulator


@pytest.fixture
def trained_tune(emulator_media, make_tune):
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
def make_prompt():
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
