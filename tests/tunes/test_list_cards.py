"""The tune list's cards are kept once rendered, and never stale."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.utils import timezone

from astria_portal import fragments
from prompts.models import GeneratedImage, Prompt
from tests.helpers import jpeg_bytes
from tunes import cards
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    fragments.cache().clear()
    yield
    fragments.cache().clear()


def listed(client):
    return client.get("/tunes/").content.decode()


def test_cards_are_kept(owner_client, make_tune):
    make_tune(name="Kept")
    listed(owner_client)
    kept = len(fragments.cache()._cache)
    assert kept >= 1
    assert "Kept" in listed(owner_client)
    assert len(fragments.cache()._cache) == kept  # the second visit rendered nothing new


def test_a_change_of_the_tune_shows_at_once(owner_client, make_tune):
    tune = make_tune(name="Before", status=Tune.Status.TRAINING)
    assert "Before" in listed(owner_client) and "Training" in listed(owner_client)
    Tune.objects.filter(pk=tune.pk).update(name="After", status=Tune.Status.FAILED)
    page = listed(owner_client)
    assert "After" in page and "Before" not in page and "Failed" in page


def add_image(prompt, position):
    image = GeneratedImage(prompt=prompt, position=position, remote_url="https://mp.astria.ai/x")
    image.file.save("image.jpg", ContentFile(jpeg_bytes()), save=False)
    image.thumbnail.save("thumb.jpg", ContentFile(jpeg_bytes()), save=False)
    image.save()
    return image


def test_a_new_image_becomes_the_cover_and_is_counted(owner_client, make_tune):
    tune = make_tune(status=Tune.Status.TRAINED, trained_at=timezone.now())
    assert "1 image" not in listed(owner_client)
    prompt = Prompt.objects.create(tune=tune, text="a portrait", num_images=2, status="done")
    first = add_image(prompt, 0)
    page = listed(owner_client)
    assert "1 image<" in page and f"/files/t/{first.pk}/" in page
    add_image(prompt, 1)  # the cover stays the first image: only the count moves
    page = listed(owner_client)
    assert "2 images" in page and f"/files/t/{first.pk}/" in page


def test_the_countdown_moves_with_time_alone(owner_client, make_tune, monkeypatch):
    monkeypatch.setattr(cards, "KEPT_SECONDS", 100 * 24 * 3600)  # the key, not the expiry
    make_tune(photos=0, status=Tune.Status.TRAINED, trained_at=timezone.now())  # no cover link
    assert "30 days left" in listed(owner_client)
    with time_machine.travel(timedelta(days=10, hours=1)):
        assert "20 days left" in listed(owner_client)
