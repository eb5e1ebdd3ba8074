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


def test_each_tune_gets_its_own_newest_image_and_count(owner_client, make_tune):
    now = timezone.now()
    first, second = (make_tune(name=name, status=Tune.Status.TRAINED, trained_at=now)
                     for name in ("First", "Second"))  # fmt: skip
    old = Prompt.objects.create(tune=first, text="old", num_images=2, status="done",
                                created_at=now - timedelta(hours=2))  # fmt: skip
    new = Prompt.objects.create(tune=first, text="new", num_images=2, status="done")
    add_image(old, 0), add_image(old, 1)
    unthumbed = add_image(new, 0)
    GeneratedImage.objects.filter(pk=unthumbed.pk).update(thumbnail="")
    cover = add_image(new, 1)  # the newest prompt's first image with a thumbnail
    going = Prompt.objects.create(tune=second, text="going", num_images=1, status="done")
    add_image(going, 0)
    going.mark_deleting()
    listed_tunes = {t.name: t for t in owner_client.get("/tunes/").context["tunes"]}
    assert listed_tunes["First"].image_count == 4
    assert listed_tunes["First"].cover_link == cover.thumbnail_link()
    # A prompt being deleted shows nothing: the second tune falls back to its photo.
    assert listed_tunes["Second"].image_count == 0
    assert listed_tunes["Second"].cover_link.startswith("/files/p/")
