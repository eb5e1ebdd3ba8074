"""Owners see how long their tune is stored, on the list and on its page."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tunes.models import Tune

pytestmark = pytest.mark.django_db

TRAINED = datetime(2026, 12, 13, 9, 30, tzinfo=UTC)


@pytest.fixture
def tune(make_tune):
    tune = make_tune(name="Winter me", photos=1)
    Tune.objects.filter(pk=tune.pk).update(
        status="trained", remote_id=5, trained_at=TRAINED, expires_at=TRAINED + timedelta(days=30)
    )
    return tune


def test_the_list_and_the_tune_page_say_until_when_and_how_long(client, owner, tune):
    with time_machine.travel(datetime(2027, 1, 6, 8, 0, tzinfo=UTC), tick=False):
        client.force_login(owner)
        listing = client.get("/tunes/").content.decode()
        status = client.get(f"/tunes/{tune.code}/status/").content.decode()
    assert "stored until 12 Jan, 6 days left" in listing
    assert "Stored until 12 Jan, 6 days left; then its photos" in status


def test_the_portals_own_retention_is_what_owners_see(client, owner, tune, settings):
    settings.RETENTION_DAYS = 7
    with time_machine.travel(TRAINED + timedelta(days=6, hours=1), tick=False):
        client.force_login(owner)
        listing = client.get("/tunes/").content.decode()
    assert "stored until 20 Dec, 23 hours left" in listing


def test_an_extended_tune_says_so(client, owner, tune):
    Tune.objects.filter(pk=tune.pk).update(auto_extend=True)
    with time_machine.travel(TRAINED + timedelta(days=40), tick=False):
        client.force_login(owner)
        listing = client.get("/tunes/").content.decode()
        status = client.get(f"/tunes/{tune.code}/status/").content.decode()
    assert "storage extended" in listing
    assert "Storage extended: kept for as long as Astria keeps it." in status


def test_an_expired_tune_says_what_happened_and_stops_polling(owner_client, tune):
    Tune.objects.filter(pk=tune.pk).update(status="expired")
    page = owner_client.get(f"/tunes/{tune.code}/").content.decode()
    assert "Deleted on" in page and "at the end of its 30-day storage period" in page
    assert 'data-final="true"' in page
    assert "stored until" not in owner_client.get("/tunes/").content.decode()


def test_a_tune_past_its_retention_says_so_before_the_sweep_deletes_it(client, owner, tune):
    with time_machine.travel(TRAINED + timedelta(days=30, hours=2), tick=False):
        client.force_login(owner)
        page = client.get(f"/tunes/{tune.code}/").content.decode()
        refused = client.post(f"/prompts/for/{tune.code}/new/", {"text": "a portrait"})
    assert "Storage ended" in page and ">Trained<" not in page
    assert "Its 30-day storage period ended on 12 January 2027." in page
    assert f"/prompts/for/{tune.code}/new/" not in page  # no prompt form that cannot work
    assert "/photos/" not in page  # the photos go at the next sweep
    assert 'href="/tunes/new/"' in page and f"/tunes/{tune.code}/delete/" in page
    assert refused.status_code == 302 and not tune.prompts.exists()


def test_an_expired_tune_is_taken_off_the_list_when_its_owner_deletes_it(owner_client, tune):
    Tune.objects.filter(pk=tune.pk).update(status="expired")
    confirm = owner_client.get(f"/tunes/{tune.code}/delete/").content.decode()
    assert "Nothing of it is left to delete" in confirm
    owner_client.post(f"/tunes/{tune.code}/delete/")
    tune.refresh_from_db()
    assert tune.status == "deleted"
    listing = owner_client.get("/tunes/").content.decode()
    assert "is off your list" in listing and f"/tunes/{tune.code}/" not in listing
