"""Credits under concurrent submissions and failures, on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from billing import ledger
from billing.models import CreditEntry
from prompts.models import Prompt
from tests.conftest import verified_user
from tests.prompts.test_create import FULL
from tunes.models import Tune


def race(workers, job):
    start = threading.Barrier(workers)
    results, errors = [], []

    def run(worker):
        try:
            start.wait()
            results.append(job(worker))
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(worker,)) for worker in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_prompts_never_overdraw_and_every_balance_equals_its_ledger(credits_mode):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    users = [verified_user(f"buyer{n}") for n in range(3)]
    tunes = [
        Tune.objects.create(
            owner=user, name="t", class_name="man", model_kind="sd15", status="trained"
        )
        for user in users
    ]
    for user in users:
        ledger.grant(user.id, 20)  # 3 prompts of 3 images at 2 credits, and 2 left

    def submit(worker):
        client = Client()
        client.force_login(users[worker % 3])
        tune = tunes[worker % 3]
        return client.post(f"/prompts/for/{tune.code}/new/", FULL).status_code

    statuses = race(12, submit)
    assert sorted(statuses) == [200] * 3 + [302] * 9  # 200: the form again, refused
    for user in users:
        assert ledger.balance(user.id) == 2
        assert Prompt.objects.filter(tune__owner=user).count() == 3
    # Every failure reported twice at once: each prompt's charge comes back once.
    prompts = list(Prompt.objects.select_related("tune"))
    race(len(prompts) * 2, lambda worker: prompts[worker // 2].finished(Prompt.Status.FAILED))
    for user in users:
        assert ledger.balance(user.id) == 20
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.REFUND).count() == 9
    assert ledger.differences() == {}
