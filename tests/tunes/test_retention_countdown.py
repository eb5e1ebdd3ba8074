"""The storage countdown: its bands at their boundaries, and its words."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tunes.countdown import countdown
from tunes.models import Tune

pytestmark = pytest.mark.django_db

TRAINED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENDS = TRAINED + timedelta(days=30)


def trained(**fields):
    fields.setdefault("status", Tune.Status.TRAINED)
    fields.setdefault("expires_at", ENDS)
    return Tune(name="x", trained_at=TRAINED, **fields)


@pytest.mark.parametrize(
    ("before_end", "band", "label"),
    [
        (timedelta(days=7, seconds=1), "plenty", "expires in 7 d 0 h"),
        (timedelta(days=7), "week", "expires in 7 d 0 h"),
        (timedelta(days=6, hours=4, minutes=30), "week", "expires in 6 d 4 h"),
        (timedelta(hours=24, seconds=1), "week", "expires in 1 d 0 h"),
        (timedelta(hours=24), "day", "expires in 1 d 0 h"),
        (timedelta(hours=5, minutes=12), "day", "expires in 5 h 12 min"),
        (timedelta(minutes=12), "day", "expires in 12 min"),
        (timedelta(seconds=1), "day", "expires in under a minute"),
        (timedelta(0), "expired", "expired just now"),
        (-timedelta(days=2, hours=3), "expired", "expired 2 d 3 h ago"),
    ],
)
def test_the_band_changes_exactly_at_7_days_24_hours_and_0(before_end, band, label):
    state = countdown(trained(), now=ENDS - before_end)
    assert (state.band, state.label) == (band, label)
    assert state.ends_at == ENDS


def test_the_retention_setting_moves_the_end(settings):
    settings.RETENTION_DAYS = 10
    state = countdown(trained(), now=TRAINED + timedelta(days=3))
    assert state.ends_at == TRAINED + timedelta(days=10)
    assert (state.band, state.left) == ("week", "7 days left")


def test_users_see_days_then_hours_left():
    assert countdown(trained(), now=ENDS - timedelta(days=1, hours=2)).left == "1 day left"
    assert countdown(trained(), now=ENDS - timedelta(hours=5, minutes=1)).left == "5 hours left"
    assert countdown(trained(), now=ENDS - timedelta(minutes=59)).left == "less than an hour left"
    assert countdown(trained(), now=ENDS).left == ""


def test_an_extended_tune_says_so_and_follows_astrias_date():
    tune = trained(auto_extend=True, expires_at=ENDS + timedelta(days=30))
    state = countdown(tune, now=ENDS + timedelta(days=1))
    assert (state.band, state.label) == ("extended", "extended")
    assert state.ends_at == ENDS + timedelta(days=30)


def test_a_tune_on_its_way_has_no_countdown_yet():
    state = countdown(Tune(status=Tune.Status.TRAINING), now=TRAINED)
    assert (state.band, state.label, state.ends_at) == ("none", "not trained", None)


def test_a_failed_tune_counts_from_its_failure():
    failed_at = TRAINED + timedelta(hours=1)
    tune = Tune(status=Tune.Status.FAILED, last_error_at=failed_at, created_at=TRAINED)
    assert countdown(tune, now=failed_at).ends_at == failed_at + timedelta(days=30)


def test_expired_and_deleted_tunes():
    state = countdown(trained(status=Tune.Status.EXPIRED), now=ENDS + timedelta(hours=2))
    assert (state.band, state.label) == ("expired", "expired 2 h 0 min ago")
    assert countdown(trained(status=Tune.Status.DELETED)).label == "deleted"


def test_the_tune_property_uses_the_current_time():
    with time_machine.travel(ENDS - timedelta(days=3), tick=False):
        assert trained().storage.label == "expires in 3 d 0 h"


def test_a_tune_trained_a_moment_ago_has_the_whole_period_left():
    assert countdown(trained(), now=TRAINED + timedelta(seconds=40)).left == "30 days left"
    assert countdown(trained(), now=ENDS - timedelta(days=6, hours=13)).left == "7 days left"
    assert countdown(trained(), now=ENDS - timedelta(hours=23, minutes=59)).left == "23 hours left"
