"""/images/: every image of the user's, newest first, filtered, paginated, in constant queries."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from gallery import views
from prompts.models import Prompt
from tests.prompts.conftest import add_image
from tunes.models import Tune

pytestmark = pytest.mark.django_db

URL = "/images/"


def codes(response):
    return [image.code for image in response.context["images"]]


def test_lists_every_fine_tunes_images_newest_first(owner_client, make_tune, make_prompt):
    other_tune = make_tune(name="Dog pictures", status=Tune.Status.TRAINED, photos=0)
    old = make_prompt(images=2, created_at=timezone.now() - timedelta(days=2))
    new = make_prompt(tune=other_tune, images=2)
    response = owner_client.get(URL)
    assert response.status_code == 200
    expected = [i.code for i in new.images.order_by("position")]
    expected += [i.code for i in old.images.order_by("position")]
    assert codes(response) == expected
    content = response.content.decode()
    assert "Dog pictures" in content and "Me in summer" in content
    # Each opens in the lightbox (data-full) and links to its image page.
    for image in new.images.all():
        assert f'href="/prompts/images/{image.code}/"' in content
        assert f'data-full="{image.file_link()}"' in content  # a signed link
        assert f'src="{image.thumbnail_link()}"' in content


def test_shows_no_one_elses_images_and_none_not_downloaded_or_being_deleted(
    owner_client, outsider, make_tune, make_prompt
):
    theirs = make_tune(user=outsider, status=Tune.Status.TRAINED, photos=0)
    make_prompt(tune=theirs, images=2)
    make_prompt(images=2, ready=0)
    make_prompt(images=1, status=Prompt.Status.DELETING)
    deleting_tune = make_tune(status=Tune.Status.DELETING, photos=0)
    make_prompt(tune=deleting_tune, images=1)
    mine = make_prompt(images=1)
    assert codes(owner_client.get(URL)) == [mine.images.get().code]


def test_filters_by_fine_tune_favourites_and_dates(owner_client, make_tune, make_prompt):
    other_tune = make_tune(name="Second", status=Tune.Status.TRAINED, photos=0)
    old = make_prompt(images=2, created_at=timezone.now() - timedelta(days=10))
    new = make_prompt(tune=other_tune, images=2)
    starred = old.images.get(position=1)
    starred.mark_favourite(True)

    assert codes(owner_client.get(URL, {"favourites": "on"})) == [starred.code]
    by_tune = codes(owner_client.get(URL, {"tune": other_tune.code}))
    assert by_tune == [i.code for i in new.images.order_by("position")]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert codes(owner_client.get(URL, {"since": since})) == by_tune
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert codes(owner_client.get(URL, {"until": until})) == [
        i.code for i in old.images.order_by("position")
    ]


def test_bad_filters_get_a_clear_error_and_the_good_ones_still_apply(
    owner_client, outsider, make_tune, make_prompt
):
    prompt = make_prompt(images=2)
    starred = prompt.images.get(position=0)
    starred.mark_favourite(True)
    theirs = make_tune(user=outsider, photos=0)
    response = owner_client.get(URL, {"tune": theirs.code, "favourites": "on", "since": "soon"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Some filters could not be used" in content
    assert "Select a valid choice" in content and "Enter a valid date" in content
    assert codes(response) == [starred.code]
    backwards = {"since": "2026-05-02", "until": "2026-05-01"}
    content = owner_client.get(URL, backwards).content.decode()
    assert "The end date comes before the start date." in content


def test_paginates_and_keeps_the_filters_in_the_page_links(owner_client, make_prompt, monkeypatch):
    monkeypatch.setattr(views, "IMAGES_PER_PAGE", 3)
    prompt = make_prompt(images=8)
    for image in prompt.images.all():
        image.mark_favourite(True)
    first = owner_client.get(URL, {"favourites": "on"})
    assert len(codes(first)) == 3
    content = first.content.decode()
    assert "Page 1 of 3" in content
    assert 'href="?favourites=on&amp;page=2"' in content
    last = owner_client.get(URL, {"favourites": "on", "page": "3"})
    assert codes(last) == [i.code for i in prompt.images.order_by("position")][6:]


def test_queries_do_not_grow_with_the_number_of_images(
    owner_client, make_tune, make_prompt, django_assert_max_num_queries
):
    make_prompt(images=1)
    owner_client.get(URL)  # the session and the user, as on any page
    with django_assert_max_num_queries(8) as few:
        owner_client.get(URL, {"favourites": ""})
    for number in range(6):
        tune = make_tune(name=f"Tune {number}", status=Tune.Status.TRAINED, photos=0)
        prompt = make_prompt(tune=tune, images=8)
        prompt.images.first().mark_favourite(True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(URL)
    assert len(codes(response)) == 48


def test_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_site_navigation_links_to_it(owner_client):
    content = owner_client.get("/tunes/").content.decode()
    assert re.search(r'<a href="/images/"[^>]*>All images</a>', content)
    assert 'href="/images/" aria-current="page"' in owner_client.get(URL).content.decode()


def test_images_of_an_unsettled_prompt_are_listed_once_downloaded(owner_client, make_prompt):
    prompt = make_prompt(images=0, status=Prompt.Status.DONE)
    assert codes(owner_client.get(URL)) == []
    image = add_image(prompt, 0)
    assert codes(owner_client.get(URL)) == [image.code]
