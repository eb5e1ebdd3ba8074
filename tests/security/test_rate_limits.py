"""Costly actions are limited per user: fine-tunes a day, prompts an hour (R32).

The limit is taken in the transaction that charges the monthly quota and saves
the job, so a refusal leaves nothing behind and concurrent requests cannot go
over it.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client

from astria_portal import throttle
from astria_portal.models import Throttle, Usage
from prompts.models import Prompt
from tests.helpers import photo_uploads
from tunes.models import Tune

EVENING = datetime(2026, 11, 27, 21, 30, tzinfo=UTC)
PROMPT = {"text": "a studio portrait", "num_images": "2", "aspect_ratio": "1:1"}


def new_tune(client, name="Me"):
    data = {"name": name, "class_name": "woman", "model_kind": "sd15", "photos": photo_uploads(4)}
    return client.post("/tunes/new/", data)


@pytest.fixture(autouse=True)
def limits(settings):
    settings.TUNES_PER_DAY = 2
    settings.PROMPTS_PER_HOUR = 3
    settings.QUOTA_TUNES_PER_MONTH = 100
    settings.QUOTA_IMAGES_PER_MONTH = 1000


@pytest.mark.django_db
def test_the_third_tune_of_the_day_is_refused_until_tomorrow(owner_client, owner):
    with time_machine.travel(EVENING, tick=False) as clock:
        assert new_tune(owner_client).status_code == 302
        assert new_tune(owner_client).status_code == 302
        refused = new_tune(owner_client)
        assert refused.status_code == 200
        message = refused.context["form"].non_field_errors()[0]
        assert message == (
            "You can start 2 fine-tunes a day and have started them all today. "
            "You can start the next one in 3 hours."
        )
        assert Tune.objects.count() == 2
        assert Usage.objects.get(user=owner).tunes == 2  # the refused one charged nothing

        clock.move_to(EVENING + timedelta(hours=3))
        assert new_tune(owner_client).status_code == 302
    assert Tune.objects.count() == 3


@pytest.mark.django_db
def test_prompts_and_generate_again_share_an_hourly_limit(owner_client, owner, make_tune):
    tune = make_tune(status=Tune.Status.TRAINED, remote_id=1001, photos=1)
    with time_machine.travel(EVENING, tick=False) as clock:
        for _ in range(2):
            assert owner_client.post(f"/prompts/for/{tune.code}/new/", PROMPT).status_code == 302
        first = Prompt.objects.first()
        assert owner_client.post(f"/prompts/{first.code}/again/").status_code == 302

        refused = owner_client.post(f"/prompts/for/{tune.code}/new/", PROMPT)
        assert refused.status_code == 200
        assert refused.context["form"].non_field_errors() == [
            "You can send 3 prompts an hour and have sent them all. "
            "You can send the next one in 30 minutes."
        ]
        again = owner_client.post(f"/prompts/{first.code}/again/", follow=True)
        assert "You can send 3 prompts an hour" in again.content.decode()
        assert Prompt.objects.count() == 3
        assert Usage.objects.get(user=owner).images == 6

        clock.move_to(EVENING + timedelta(minutes=30))
        assert owner_client.post(f"/prompts/for/{tune.code}/new/", PROMPT).status_code == 302


@pytest.mark.django_db
def test_each_user_has_their_own_limit(owner_client, outsider):
    assert new_tune(owner_client).status_code == 302
    assert new_tune(owner_client).status_code == 302
    other = Client()
    other.force_login(outsider)
    assert new_tune(other).status_code == 302


@pytest.mark.django_db
def test_a_quota_refusal_gives_the_count_back(owner_client, owner, settings):
    settings.QUOTA_TUNES_PER_MONTH = 1
    assert new_tune(owner_client).status_code == 302
    refused = new_tune(owner_client)
    assert "allowance" in refused.context["form"].non_field_errors()[0]
    assert Throttle.objects.get(scope="tunes").count == 1


@pytest.mark.django_db
def test_zero_turns_the_limit_off(owner_client, settings):
    settings.TUNES_PER_DAY = 0
    for _ in range(3):
        assert new_tune(owner_client).status_code == 302


@pytest.mark.django_db
def test_posts_of_the_tune_form_are_limited_per_user_valid_or_not(owner_client, settings):
    settings.TUNE_UPLOADS_PER_HOUR = 3
    with time_machine.travel(EVENING, tick=False) as clock:
        invalid = {"name": "", "class_name": "woman", "model_kind": "sd15"}
        assert owner_client.post("/tunes/new/", invalid).status_code == 200
        assert owner_client.post("/tunes/new/", invalid).status_code == 200
        assert new_tune(owner_client).status_code == 302

        refused = new_tune(owner_client, name="Fourth")
        assert refused.status_code == 429
        assert refused["Retry-After"] == str(30 * 60)
        page = refused.content.decode()
        assert (
            "You can send the new fine-tune form 3 times an hour and have sent it that often. "
            "Please try again in 30 minutes." in page
        )
        assert 'value="Fourth"' in page
        assert Tune.objects.count() == 1

        clock.move_to(EVENING + timedelta(minutes=30))
        assert new_tune(owner_client).status_code == 302


@pytest.mark.django_db
def test_posts_of_the_tune_form_are_limited_per_address(owner_client, outsider, settings):
    settings.TUNE_UPLOADS_PER_IP_PER_HOUR = 2
    settings.TUNES_PER_DAY = 0
    other = Client()
    other.force_login(outsider)
    assert new_tune(owner_client).status_code == 302
    assert new_tune(other).status_code == 302

    refused = new_tune(owner_client)
    assert refused.status_code == 429
    assert "Too many fine-tune uploads from your network" in refused.content.decode()
    far = Client(REMOTE_ADDR="198.51.100.7")
    far.force_login(outsider)
    assert new_tune(far).status_code == 302


@pytest.mark.django_db
def test_zero_turns_the_upload_limits_off(owner_client, settings):
    settings.TUNE_UPLOADS_PER_HOUR = 0
    settings.TUNE_UPLOADS_PER_IP_PER_HOUR = 0
    invalid = {"name": "", "class_name": "woman", "model_kind": "sd15"}
    for _ in range(25):
        assert owner_client.post("/tunes/new/", invalid).status_code == 200


def test_windows_are_clock_aligned():
    moment = datetime(2026, 11, 27, 21, 30, 5, tzinfo=UTC)
    assert throttle.window_start(moment, throttle.HOUR) == datetime(2026, 11, 27, 21, tzinfo=UTC)
    assert throttle.window_start(moment, throttle.DAY) == datetime(2026, 11, 27, tzinfo=UTC)


@pytest.mark.django_db
def test_old_windows_are_forgotten(owner):
    throttle.take(throttle.TUNES, owner.id, now=EVENING)
    throttle.forget_old(EVENING + timedelta(days=1))
    assert Throttle.objects.count() == 1
    throttle.forget_old(EVENING + timedelta(days=2))
    assert Throttle.objects.count() == 0


def race(count, request):
    """Run request(client) in count threads released together; return their statuses."""
    start = threading.Barrier(count)
    statuses = []

    def run(client):
        try:
            start.wait()
            statuses.append(request(client))
        finally:
            connections.close_all()

    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(User.objects.get(username="racer"))
        clients.append(client)
    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["tunes", "prompts"])
def test_concurrent_requests_cannot_go_over_the_limit(kind, settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    settings.UPLOADS_AT_ONCE = 0  # all six forms are decoded at once
    user = User.objects.create_user("racer", "racer@example.com", password="x")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    tune = Tune.objects.create(owner=user, name="T", class_name="woman", model_kind="sd15",
                               status=Tune.Status.TRAINED, remote_id=7)  # fmt: skip
    if kind == "tunes":
        statuses = race(6, lambda client: new_tune(client).status_code)
        created = Tune.objects.filter(owner=user).count() - 1
        limit = 2
    else:
        url = f"/prompts/for/{tune.code}/new/"
        statuses = race(8, lambda client: client.post(url, PROMPT).status_code)
        created = Prompt.objects.count()
        limit = 3
    assert statuses.count(302) == limit
    assert statuses.count(200) == len(statuses) - limit
    assert created == limit
    assert Throttle.objects.get(scope=kind).count == limit


def test_a_limit_of_one_is_said_in_the_singular():
    from astria_portal import throttle

    words = [throttle._message(limit, 1, timedelta(minutes=5)) for limit in (
        throttle.TUNES, throttle.TUNE_UPLOADS, throttle.PROMPTS,
    )]  # fmt: skip
    assert words[0].startswith("You can start 1 fine-tune a day and have started it today.")
    assert words[1].startswith("You can send the new fine-tune form 1 time an hour")
    assert words[2].startswith("You can send 1 prompt an hour and have sent it.")
