"""The owner is e-mailed once, a few days before a tune's data is deleted."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.helpers import drain_queue
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


@pytest.fixture
def tune(make_tune):
    tune = make_tune(name="Holiday me")
    trained_at = timezone.now()
    Tune.objects.filter(pk=tune.pk).update(
        status=Tune.Status.TRAINED, remote_id=42, trained_at=trained_at,
        expires_at=trained_at + timedelta(days=30),
    )  # fmt: skip
    tune.refresh_from_db()
    return tune


def run_warnings():
    tasks.warn_expiring()
    drain_queue()


def test_the_warning_is_sent_once_three_days_before(tune, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example.com"
    ends = tune.retention_ends_at
    with time_machine.travel(ends - timedelta(days=3, seconds=1), tick=False):
        run_warnings()
    assert mail.outbox == []

    with time_machine.travel(ends - timedelta(days=3), tick=False):
        run_warnings()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Holiday me" in message.subject
    assert ends.strftime("%d %B").lstrip("0") in message.subject
    assert f"https://portal.example.com/prompts/for/{tune.code}/images.zip" in message.body
    assert f"https://portal.example.com/tunes/{tune.code}/" in message.body

    for hours in (1, 24, 71):
        with time_machine.travel(ends - timedelta(days=3) + timedelta(hours=hours), tick=False):
            run_warnings()
    assert len(mail.outbox) == 1


def test_the_warning_days_are_configurable_and_zero_turns_it_off(tune, settings):
    settings.RETENTION_WARNING_DAYS = 7
    with time_machine.travel(tune.retention_ends_at - timedelta(days=6), tick=False):
        settings.RETENTION_WARNING_DAYS = 0
        run_warnings()
        assert mail.outbox == []
        settings.RETENTION_WARNING_DAYS = 7
        run_warnings()
    assert len(mail.outbox) == 1


def test_no_warning_after_the_end_or_for_an_extended_tune(tune, make_tune):
    Tune.objects.filter(pk=tune.pk).update(auto_extend=True)
    with time_machine.travel(tune.retention_ends_at - timedelta(days=1), tick=False):
        run_warnings()
    with time_machine.travel(tune.retention_ends_at + timedelta(minutes=1), tick=False):
        Tune.objects.filter(pk=tune.pk).update(auto_extend=False)
        run_warnings()
    assert mail.outbox == []
