"""E-mails to owners go out once, even when the queue delivers a task twice."""

from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from astria_portal.models import SentNotice
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def test_a_redelivered_notice_task_sends_nothing_more(make_tune):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINED)
    assert tasks.notify_owner(tune.pk) == "sent"
    assert tasks.notify_owner(tune.pk) == "already sent"
    assert len(mail.outbox) == 1
    assert SentNotice.objects.get().kind == "tune trained"


def test_a_failed_send_can_be_tried_again(make_tune):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.FAILED)
    down = mock.patch("astria_portal.notices.send_mail", side_effect=OSError("SMTP down"))
    with down, pytest.raises(OSError):
        tasks.notify_owner(tune.pk)
    assert not SentNotice.objects.exists()
    assert tasks.notify_owner(tune.pk) == "sent"
    assert len(mail.outbox) == 1


def test_the_retention_warning_is_sent_once_per_tune(make_tune):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINED)
    Tune.objects.filter(pk=tune.pk).update(trained_at=timezone.now())
    assert tasks.send_retention_warning(tune.pk) == "sent"
    assert tasks.send_retention_warning(tune.pk) == "already sent"
    assert len(mail.outbox) == 1
