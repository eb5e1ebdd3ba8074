"""Every prompt and image URL is the owner's alone: 404 for anyone else, login for visitors."""

import uuid

import pytest
from django.test import Client
from django_q.models import OrmQ

from astria_portal.models import Usage
from prompts.models import GeneratedImage, Prompt

pytestmark = pytest.mark.django_db

VALID = {"text": "a studio portrait of a woman", "num_images": "4", "aspect_ratio": "1:1"}


def urls_of(prompt, image):
    """(url, methods the view answers) for every object-scoped prompt URL."""
    tune = prompt.tune
    return [
        (f"/prompts/for/{tune.code}/new/", {"POST"}),
        (f"/prompts/for/{tune.code}/images.zip", {"GET"}),
        (f"/prompts/{prompt.code}/card/", {"GET"}),
        (f"/prompts/{prompt.code}/again/", {"POST"}),
        (f"/prompts/{prompt.code}/delete/", {"GET", "POST"}),
        (f"/prompts/{prompt.code}/images.zip", {"GET"}),
        (f"/prompts/images/{image.code}/", {"GET"}),
        (f"/prompts/images/{image.code}/file", {"GET"}),
        (f"/prompts/images/{image.code}/file?download=1", {"GET"}),
        (f"/prompts/images/{image.code}/thumbnail", {"GET"}),
    ]


def snapshot():
    return (
        sorted(Prompt.objects.values_list("code", "status")),
        GeneratedImage.objects.count(),
        OrmQ.objects.count(),
        list(Usage.objects.values_list("user_id", "images")),
    )


@pytest.fixture
def world(make_prompt):
    prompt = make_prompt(images=2)
    return prompt, prompt.images.first()


def test_the_owner_reaches_every_url(owner_client, world):
    """The 404s below mean something: the same requests work for the owner."""
    prompt, image = world
    for url, methods in urls_of(prompt, image):
        if "GET" in methods:
            assert owner_client.get(url).status_code == 200, url


def test_another_user_gets_404_everywhere_and_changes_nothing(world, outsider):
    prompt, image = world
    other = Client()
    other.force_login(outsider)
    before = snapshot()
    for url, methods in urls_of(prompt, image):
        for method in ("GET", "POST"):
            response = getattr(other, method.lower())(url, VALID)
            if method in methods:
                assert response.status_code == 404, (method, url)
            else:
                # Refused by method before any lookup, exactly as for a code that does not exist.
                assert response.status_code == 405, (method, url)
                fake = url.replace(str(prompt.code), str(uuid.uuid4()))
                fake = fake.replace(str(prompt.tune.code), str(uuid.uuid4()))
                fake = fake.replace(str(image.code), str(uuid.uuid4()))
                assert getattr(other, method.lower())(fake).status_code == 405
            assert b"a corporate headshot" not in response.content
    assert snapshot() == before
    assert OrmQ.objects.count() == 0


def test_the_prompts_of_a_deleted_tune_are_404_for_its_owner_too(owner_client, world):
    prompt, image = world
    prompt.tune.status = "deleted"
    prompt.tune.save()
    for url, methods in urls_of(prompt, image):
        if "GET" in methods:
            assert owner_client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    prompt, image = world
    before = snapshot()
    for url, _ in urls_of(prompt, image):
        for response in (client.get(url), client.post(url, VALID)):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/"), url
    assert snapshot() == before
