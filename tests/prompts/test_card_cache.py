"""Settled prompt cards come from the cache, and never stale; pages are compressed."""

import gzip
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from astria_portal import fragments, serving
from prompts import cards
from prompts.models import GeneratedImage, Prompt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cards_not_pages(settings):
    """The cards themselves: the page around them is not kept whole (tests/pages/)."""
    settings.KEEP_PAGES = False


def page(client, tune):
    return client.get(tune.get_absolute_url()).content.decode()


def test_a_settled_card_is_kept_and_served_from_the_cache(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=2, text="kept in the cache")
    page(owner_client, trained_tune)
    key = cards.card_key(prompt, cards.image_states([prompt])[prompt.pk], True, serving.expiry())
    kept = fragments.cache().get(key)
    assert "kept in the cache" in kept
    assert fragments.CSRF_MARK in kept  # the request's own token goes in on the way out
    fragments.cache().set(key, kept.replace("kept in the cache", "from the cache"))
    assert "from the cache" in page(owner_client, trained_tune)


def test_a_card_still_changing_is_not_kept(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=2, ready=1)
    page(owner_client, trained_tune)
    key = cards.card_key(prompt, cards.image_states([prompt])[prompt.pk], True, serving.expiry())
    assert fragments.cache().get(key) is None


@pytest.mark.parametrize(
    "change, shown",
    [
        (
            lambda p: Prompt.objects.filter(pk=p.pk).update(status="failed", last_error="NSFW!"),
            "NSFW!",
        ),
        (
            lambda p: GeneratedImage.objects.filter(prompt=p, position=0).update(width=777),
            'width="777"',
        ),
        (
            lambda p: GeneratedImage.objects.filter(prompt=p, position=0).delete(),
            'class="thumb ratio-11"',
        ),
        (lambda p: Prompt.objects.filter(pk=p.pk).update(text="words changed"), "words changed"),
    ],
)
def test_any_change_to_the_prompt_or_its_images_shows_at_once(
    owner_client, trained_tune, make_prompt, change, shown
):
    prompt = make_prompt(images=2, text="before the change")
    before = page(owner_client, trained_tune)
    change(prompt)  # update(), not save(): not even updated_at moves
    after = page(owner_client, trained_tune)
    assert after != before
    if "thumb" in shown:
        assert after.count(shown) == 1 and before.count(shown) == 2
    else:
        assert shown in after


def test_a_prompt_being_deleted_leaves_the_page_at_once(owner_client, trained_tune, make_prompt):
    prompt = make_prompt(images=2, text="going away soon")
    assert "going away soon" in page(owner_client, trained_tune)
    prompt.mark_deleting()
    assert "going away soon" not in page(owner_client, trained_tune)


def test_a_closed_tune_shows_no_generate_again_on_cached_cards(
    owner_client, trained_tune, make_prompt
):
    prompt = make_prompt(images=1)
    assert f"/prompts/{prompt.code}/again/" in page(owner_client, trained_tune)
    trained_tune.status = "expired"
    trained_tune.save()
    assert f"/prompts/{prompt.code}/again/" not in page(owner_client, trained_tune)


def test_a_cached_card_carries_each_requests_own_csrf_token(owner, trained_tune, make_prompt):
    prompt = make_prompt(images=1)
    tokens = []
    for _ in range(2):  # two browsers of the owner: the second gets the cached card
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(owner)
        content = page(browser, trained_tune)
        form = content[content.index(f'action="/prompts/{prompt.code}/again/"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
        tokens.append(token)
        answer = browser.post(f"/prompts/{prompt.code}/again/", {"csrfmiddlewaretoken": token})
        assert answer.status_code == 302
    assert tokens[0] != tokens[1]
    assert fragments.CSRF_MARK not in content


def test_queries_stay_the_same_with_more_cards(owner_client, trained_tune, make_prompt):
    make_prompt(images=2)
    page(owner_client, trained_tune)
    with CaptureQueriesContext(connection) as few:
        page(owner_client, trained_tune)
    for _ in range(5):
        make_prompt(images=4)
    page(owner_client, trained_tune)
    with CaptureQueriesContext(connection) as more:
        page(owner_client, trained_tune)
    assert 0 < len(more) == len(few)


def test_pages_are_compressed_and_images_are_not(owner_client, trained_tune, make_prompt):
    image = make_prompt(images=1).images.get()
    response = owner_client.get(trained_tune.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"Your images" in gzip.decompress(response.content)
    for link in (image.thumbnail_link(), image.file_link()):
        assert not Client().get(link, HTTP_ACCEPT_ENCODING="gzip").has_header("Content-Encoding")
    archive = owner_client.get(f"/prompts/{image.prompt.code}/images.zip",
                               HTTP_ACCEPT_ENCODING="gzip")  # fmt: skip
    assert not archive.has_header("Content-Encoding")


def test_every_way_of_changing_an_image_moves_its_version(make_prompt):
    image = make_prompt(images=1).images.get()
    versions = [image.version]
    GeneratedImage.objects.filter(pk=image.pk).update(last_error="one")
    image.refresh_from_db()
    versions.append(image.version)
    image.last_error = "two"
    image.save(update_fields=["last_error"])
    versions.append(image.version)
    image.save()
    versions.append(image.version)
    GeneratedImage.objects.bulk_update([image], ["last_error"])
    image.refresh_from_db()
    versions.append(image.version)
    image.mark_favourite(True)
    image.refresh_from_db()
    versions.append(image.version)
    assert versions == sorted(set(versions)) and len(versions) == 6


def test_a_cached_card_reads_no_image_rows(owner_client, trained_tune, make_prompt):
    make_prompt(images=3)
    page(owner_client, trained_tune)
    with CaptureQueriesContext(connection) as queries:
        page(owner_client, trained_tune)
    # One query reads their state (count and versions), none reads their rows.
    image_reads = [q["sql"] for q in queries if "prompts_generatedimage" in q["sql"]]
    assert len(image_reads) == 1 and "SUM(version)" in image_reads[0]
