"""The favourite mark: a plain form, JSON for the script, the owner's images only."""

import logging

import pytest
from django.utils import timezone

from astria_portal import astria
from gallery import tasks
from prompts.models import Prompt
from tests.helpers import drain_queue, queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db

URL = "/images/favourite/"


def mark(client, image, favourite=True, **extra):
    data = {"image": str(image.code), "favourite": "1" if favourite else "0", **extra}
    return client.post(URL, data)


def test_the_form_marks_and_unmarks_an_image_and_goes_back(owner_client, make_prompt):
    image = make_prompt(images=2).images.get(position=1)
    response = mark(owner_client, image, next="/images/?favourites=on&page=2")
    assert response.status_code == 302
    assert response["Location"] == f"/images/?favourites=on&page=2#image-{image.code}"
    image.refresh_from_db()
    assert image.is_favourite
    assert mark(owner_client, image, True).status_code == 302  # the same click again
    image.refresh_from_db()
    assert image.is_favourite
    response = mark(owner_client, image, False)
    assert response["Location"] == f"{image.prompt.tune.get_absolute_url()}#image-{image.code}"
    image.refresh_from_db()
    assert not image.is_favourite


def test_without_next_it_goes_back_to_the_page_the_click_came_from(owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    tune_page = f"http://testserver{image.prompt.tune.get_absolute_url()}?page=2"
    response = owner_client.post(
        URL, {"image": str(image.code), "favourite": "1"}, headers={"Referer": tune_page}
    )
    assert response["Location"] == f"{tune_page}#image-{image.code}"


def test_an_address_elsewhere_is_not_followed(owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    response = owner_client.post(
        URL,
        {"image": str(image.code), "favourite": "1", "next": "https://evil.example/"},
        headers={"Referer": "https://evil.example/page"},
    )
    assert response["Location"].startswith(image.prompt.tune.get_absolute_url())


def test_the_script_gets_the_new_state_as_json(owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    response = owner_client.post(
        URL, {"image": str(image.code), "favourite": "1"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"image": str(image.code), "favourite": True}


def test_a_mark_shows_at_once_on_a_cached_card(owner_client, make_prompt):
    prompt = make_prompt(images=1)
    tune_page = prompt.tune.get_absolute_url()
    assert 'aria-pressed="false"' in owner_client.get(tune_page).content.decode()
    mark(owner_client, prompt.images.get())
    assert 'aria-pressed="true"' in owner_client.get(tune_page).content.decode()


def test_another_users_image_is_a_404_and_stays_unmarked(client, outsider, make_prompt):
    image = make_prompt(images=1).images.get()
    client.force_login(outsider)
    assert mark(client, image).status_code == 404
    image.refresh_from_db()
    assert not image.is_favourite


def test_bad_input_is_a_400_with_the_reason(owner_client, make_prompt):
    image = make_prompt(images=1).images.get()
    response = owner_client.post(URL, {"image": "not-a-code", "favourite": "1"})
    assert response.status_code == 400
    assert b"No such image." in response.content
    response = owner_client.post(URL, {"image": str(image.code), "favourite": "maybe"})
    assert response.status_code == 400
    assert owner_client.get(URL).status_code == 405


def test_without_csrf_token_the_mark_is_refused(owner, make_prompt):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    image = make_prompt(images=1).images.get()
    assert mark(client, image).status_code == 403


def test_marks_are_shown_on_the_tune_page_cards_and_the_image_page(
    owner_client, trained_tune, make_prompt
):
    prompt = make_prompt(images=2)
    starred = prompt.images.get(position=0)
    starred.mark_favourite(True)
    content = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert content.count('class="fav-form"') == 2
    assert content.count('aria-pressed="true"') == 1
    assert f'data-code="{starred.code}">' in content
    page = owner_client.get(starred.get_absolute_url()).content.decode()
    assert 'class="fav-button" aria-pressed="true"' in page
    card = owner_client.get(f"/prompts/{prompt.code}/card/").content.decode()
    assert card.count('aria-pressed="true"') == 1


# The like sent to Astria


def test_a_new_favourite_queues_one_like_of_its_prompt(owner_client, make_prompt):
    prompt = make_prompt(images=2, remote_id=555)
    first, second = prompt.images.all()
    mark(owner_client, first)
    mark(owner_client, first)
    mark(owner_client, second, False)
    assert queued_funcs() == ["gallery.tasks.like_prompt"]


def test_no_like_is_queued_for_a_prompt_astria_never_had_or_already_liked(
    owner_client, make_prompt
):
    unsent = make_prompt(images=1)
    liked = make_prompt(images=1, remote_id=556, liked_on_astria_at=timezone.now())
    mark(owner_client, unsent.images.get())
    mark(owner_client, liked.images.get())
    assert queued_funcs() == []


def test_the_like_reaches_astria_once(emulator, owner_client, make_tune, make_prompt):
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=None, photos=0)
    prompt = make_prompt(tune=tune, images=2, remote_id=None)
    remote = _remote_prompt(emulator)
    Prompt.objects.filter(pk=prompt.pk).update(remote_id=remote)
    mark(owner_client, prompt.images.get(position=0))
    assert drain_queue() == ["gallery.tasks.like_prompt"]
    assert tasks.like_prompt(prompt.pk) == "already liked"
    likes = emulator.requests("POST", f"/prompts/{remote}/likes")
    assert [call["status"] for call in likes] == [201]
    prompt.refresh_from_db()
    assert prompt.liked_on_astria_at is not None
    with astria.get_client() as client:
        answer = client.session.get(f"{client.base_url}/prompts", params={"liked": "true"})
    assert [item["id"] for item in answer.json()] == [remote]


def test_a_failed_like_is_logged_and_the_mark_stays(emulator, owner_client, make_prompt, caplog):
    prompt = make_prompt(images=1, remote_id=987654)  # not on Astria: a 404
    mark(owner_client, prompt.images.get())
    with caplog.at_level(logging.WARNING, logger="gallery.tasks"):
        assert drain_queue() == ["gallery.tasks.like_prompt"]
    assert "Could not like prompt 987654 on Astria" in caplog.text
    prompt.refresh_from_db()
    assert prompt.liked_on_astria_at is None
    assert prompt.images.get().is_favourite


def test_a_like_unmarked_before_it_ran_is_not_sent(emulator, owner_client, make_prompt):
    prompt = make_prompt(images=1, remote_id=987655)
    image = prompt.images.get()
    mark(owner_client, image)
    mark(owner_client, image, False)
    assert tasks.like_prompt(prompt.pk) == "no favourite"
    assert emulator.requests("POST") == []


def _remote_prompt(emulator):
    """A finished prompt on the emulator, created through the API as the portal does."""
    with astria.get_client() as client:
        tune = client.create_tune(
            title="likes", name="woman", branch="fast", image_urls=["https://example.com/a.jpg"] * 4
        )
        emulator.tune(tune.id, "finish")
        return client.create_prompt(tune.id, text="ohwx woman").id
