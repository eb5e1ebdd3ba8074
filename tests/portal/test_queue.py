import subprocess
import sys

import pytest
from django.conf import settings
from django.db import transaction
from django_q.models import OrmQ, Schedule
from django_q.tasks import async_task

from astria_portal.models import Heartbeat
from astria_portal.schedules import SCHEDULES
from astria_portal.tasks import heartbeat


def test_the_cluster_config_leaves_retries_to_the_app():
    conf = settings.Q_CLUSTER
    assert conf["orm"] == "default"
    assert conf["timeout"] > 0
    assert conf["retry"] > conf["timeout"]
    assert conf["max_attempts"] == 1
    assert conf["ack_failures"] is True
    assert conf["catch_up"] is False
    assert 1 <= conf["workers"] <= 2
    assert not conf.get("sync")
    assert conf["save_limit"] == 0  # the purge prunes finished tasks by age


def test_django_q_does_not_warn_about_its_configuration():
    code = "import django; django.setup(); import django_q.conf"
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "astria_portal.settings", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_rolled_back_transaction_is_never_queued():
    with pytest.raises(RuntimeError), transaction.atomic():
        async_task("astria_portal.tasks.heartbeat")
        assert OrmQ.objects.count() == 1
        raise RuntimeError("the business write failed")
    assert OrmQ.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_in_a_committed_transaction_is_queued():
    with transaction.atomic():
        async_task("astria_portal.tasks.heartbeat")
    assert OrmQ.objects.count() == 1


@pytest.mark.django_db
def test_migrate_installs_the_heartbeat_schedule():
    names = set(Schedule.objects.values_list("name", flat=True))
    assert {name for name, _, _ in SCHEDULES} <= names
    beat = Schedule.objects.get(name="Worker heartbeat")
    assert (beat.func, beat.schedule_type, beat.minutes) == (
        "astria_portal.tasks.heartbeat",
        Schedule.MINUTES,
        1,
    )


@pytest.mark.django_db
def test_the_heartbeat_task_is_idempotent():
    assert Heartbeat.age() is None
    heartbeat()
    heartbeat()
    assert Heartbeat.objects.count() == 1
    assert 0 <= Heartbeat.age() < 5
