"""Monthly allowances: charged atomically on submit, given back on refusal (R32)."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection, connections, transaction

from astria_portal import quota
from astria_portal.models import Quota, Usage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limits(settings):
    settings.QUOTA_TUNES_PER_MONTH = 2
    settings.QUOTA_IMAGES_PER_MONTH = 10


def test_charges_add_up_and_the_allowance_shows_what_is_left(owner):
    quota.charge(owner.id, images=4)
    quota.charge(owner.id, tunes=1)
    left = quota.allowance(owner.id)
    assert (left.images_left, left.tunes_left) == (6, 1)
    assert (left.images_limit, left.tunes_limit) == (10, 2)


def test_a_charge_over_the_limit_is_refused_and_takes_nothing(owner):
    quota.charge(owner.id, images=8)
    with pytest.raises(quota.QuotaExceeded, match="needs 4 images and 2 of your 10"):
        quota.charge(owner.id, images=4)
    quota.charge(owner.id, tunes=2)
    with pytest.raises(quota.QuotaExceeded, match="allowance of 2 fine-tunes"):
        quota.charge(owner.id, tunes=1)
    assert Usage.objects.get(user=owner).images == 8


def test_staff_can_raise_or_lower_one_users_allowance(owner, outsider):
    Quota.objects.create(user=owner, images_per_month=100)
    Quota.objects.create(user=outsider, tunes_per_month=0)
    quota.charge(owner.id, images=50)
    with pytest.raises(quota.QuotaExceeded):
        quota.charge(outsider.id, tunes=1)
    assert quota.allowance(owner.id).tunes_limit == 2  # the other field keeps the default


def test_the_allowance_renews_each_month_and_refunds_go_to_the_month_charged(owner):
    with time_machine.travel(datetime(2026, 11, 30, 23, 0, tzinfo=UTC), tick=False):
        quota.charge(owner.id, images=10)
        charged_at = datetime.now(UTC)
    with time_machine.travel(datetime(2026, 12, 1, 0, 30, tzinfo=UTC), tick=False):
        assert quota.allowance(owner.id).images_left == 10
        quota.charge(owner.id, images=3)
        quota.give_back(owner.id, charged_at, images=10)
        assert quota.allowance(owner.id).images_left == 7
    assert Usage.objects.get(user=owner, month="2026-11-01").images == 0


def test_a_refund_never_goes_below_zero(owner):
    quota.charge(owner.id, images=2)
    quota.give_back(owner.id, datetime.now(UTC), images=5)
    assert Usage.objects.get(user=owner).images == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_cannot_overdraw_the_allowance():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    user = User.objects.create_user("racer")
    start = threading.Barrier(8)
    outcomes = []

    def submit():
        try:
            start.wait()
            with transaction.atomic():
                quota.charge(user.id, images=3)
            outcomes.append("charged")
        except quota.QuotaExceeded:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("charged") == 3
    assert outcomes.count("refused") == 5
    assert Usage.objects.get(user=user).images == 9
