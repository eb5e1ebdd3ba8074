"""The tune pages, photo serving, deletion, and 404 for everyone but the owner."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django_q.models import OrmQ

from tests.helpers import drain_queue
from tunes import tasks
from tunes.models import TrainingImage, Tune

pytestmark = pytest.mark.django_db


def urls_of(tune):
    photo = tune.photos.first()
    return [
        f"/tunes/{tune.code}/",
        f"/tunes/{tune.code}/status/",
        f"/tunes/{tune.code}/photos/{photo.code}/",
        f"/tunes/{tune.code}/delete/",
    ]


def test_the_list_shows_the_users_tunes_newest_first(owner_client, make_tune, outsider):
    make_tune(name="Older")
    make_tune(name="Newer")
    make_tune(name="Someone else's", user=outsider)
    response = owner_client.get("/tunes/")
    names = [tune.name for tune in response.context["tunes"]]
    assert names == ["Newer", "Older"]
    assert b"Test mode" not in response.content  # tunes.test_mode: a staff matter


def test_the_list_query_count_does_not_grow_with_tunes(
    owner_client, make_tune, django_assert_max_num_queries
):
    for _ in range(3):
        make_tune()
    with django_assert_max_num_queries(8) as small:
        owner_client.get("/tunes/")
    for _ in range(9):
        make_tune(photos=1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        owner_client.get("/tunes/")


def test_the_tune_page_shows_status_and_photos(owner_client, make_tune):
    tune = make_tune()
    response = owner_client.get(tune.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Starting" in content
    assert content.count('src="/files/p/') == 4
    for photo in tune.photos.all():
        assert f'src="{photo.link()}"' in content
    assert f'data-url="/tunes/{tune.code}/status/"' in content


def test_the_status_fragment_reports_a_failure_with_astrias_message(owner_client, make_tune):
    tune = make_tune()
    tune.mark_failed("Your photos show more than one person")
    response = owner_client.get(f"/tunes/{tune.code}/status/")
    assert b"Training failed." in response.content
    assert b"more than one person" in response.content
    assert b'data-final="true"' in response.content
    assert response["Cache-Control"] == "private, no-store"


def test_photos_are_served_privately_to_the_owner(media, owner_client, make_tune):
    tune = make_tune()
    photo = tune.photos.first()
    served = media.get(owner_client, photo.get_absolute_url())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, no-store"
    assert served["Content-Disposition"] == 'inline; filename="photo-1.jpg"'
    assert served.content[:2] == b"\xff\xd8"
    assert served.portal["Cache-Control"] == "private, no-store"
    assert served.portal["X-Content-Type-Options"] == "nosniff"


def test_a_tune_being_deleted_shows_and_serves_no_photos(owner_client, make_tune):
    tune = make_tune()
    photo = tune.photos.first()
    tune.mark_deleting(enqueue=False)
    assert owner_client.get(photo.get_absolute_url()).status_code == 404
    listed = owner_client.get("/tunes/")
    assert [t.cover_link for t in listed.context["tunes"]] == [""]
    assert photo.get_absolute_url().encode() not in listed.content
    assert b"/files/p/" not in listed.content
    assert owner_client.get(tune.get_absolute_url()).context["photos"] == []


def test_anonymous_visitors_are_sent_to_log_in(client, make_tune):
    tune = make_tune()
    for url in urls_of(tune):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_another_user_gets_404_everywhere_and_changes_nothing(make_tune, outsider):
    tune = make_tune()
    other = Client()
    other.force_login(outsider)
    for url in urls_of(tune):
        assert other.get(url).status_code == 404, url
        assert other.post(url).status_code in (404, 405), url
    tune.refresh_from_db()
    assert tune.status == Tune.Status.PENDING
    assert OrmQ.objects.count() == 0


def test_delete_asks_first_then_deletes_on_astria_and_here(
    media, owner_client, emulator, make_tune
):
    tune = make_tune()
    assert len(media.files()) == 4
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    files = [photo.file.name for photo in tune.photos.all()]

    response = owner_client.get(f"/tunes/{tune.code}/delete/")
    assert b"4 training photos" in response.content
    tune.refresh_from_db()
    assert tune.status != Tune.Status.DELETING

    response = owner_client.post(f"/tunes/{tune.code}/delete/")
    assert response.status_code == 302
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETED
    assert emulator.remote_tunes() == []
    assert len(emulator.requests("DELETE")) == 1
    assert TrainingImage.objects.count() == 0
    storage = TrainingImage._meta.get_field("file").storage
    assert not any(storage.exists(name) for name in files)
    assert media.files() == []
    assert owner_client.get(tune.get_absolute_url()).status_code == 404


def test_deleting_a_tune_astria_already_lost_still_completes(owner_client, emulator, make_tune):
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    emulator.tune(tune.remote_id, "expire")
    owner_client.post(f"/tunes/{tune.code}/delete/")
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETED


def test_a_failed_remote_delete_is_retried_by_the_sweeper(owner_client, emulator, make_tune):
    tune = make_tune()
    tune.submit()
    drain_queue()
    emulator.fault(method="DELETE", path=r"/tunes/\d+", status=500, times=1)
    owner_client.post(f"/tunes/{tune.code}/delete/")
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETING
    with time_machine.travel(timedelta(minutes=2)):
        tasks.sweep_tunes()
        drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETED
    assert emulator.remote_tunes() == []
