"""SQLite locked past its busy timeout: a "try again" page (503), not a server error."""

from unittest import mock

import pytest
from django.db import OperationalError

from prompts.models import Prompt

pytestmark = pytest.mark.django_db

LOCKED = OperationalError("database is locked")  # what Django raises for SQLite's SQLITE_BUSY


def test_a_prompt_sent_while_the_database_is_locked_gets_the_busy_page(owner_client, make_tune):
    tune = make_tune(status="trained", remote_id=5)
    data = {"text": "a woman in a park", "num_images": "2", "aspect_ratio": "1:1"}
    with mock.patch("prompts.views.throttle.take", autospec=True, side_effect=LOCKED):
        response = owner_client.post(f"/prompts/for/{tune.code}/new/", data)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    content = response.content.decode()
    assert "The database is busy" in content and "Nothing was saved" in content
    assert 'href="/">Back to the start' in content
    assert Prompt.objects.count() == 0


def test_any_view_gets_it_and_a_page_read_offers_to_try_again(owner_client):
    with mock.patch("tunes.views.Paginator", autospec=True, side_effect=LOCKED):
        response = owner_client.get("/tunes/?page=2")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert 'href="/tunes/?page=2">Try again' in response.content.decode()


def test_when_even_the_page_needs_the_database_the_answer_is_plain_text(owner_client):
    with (
        mock.patch("tunes.views.Paginator", autospec=True, side_effect=LOCKED),
        mock.patch("astria_portal.middleware.render", autospec=True, side_effect=LOCKED),
    ):
        response = owner_client.get("/tunes/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/plain")
    assert b"The database is busy" in response.content


def test_other_database_errors_are_still_errors(owner_client):
    broken = OperationalError("no such table: tunes_tune")
    with (
        mock.patch("tunes.views.Paginator", autospec=True, side_effect=broken),
        pytest.raises(OperationalError),
    ):
        owner_client.get("/tunes/")
