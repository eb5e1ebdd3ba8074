"""A pack prompt is adopted once when a callback's discovery and the reconciler's race."""

import threading

import pytest
from django.db import connection

from astria_portal import astria
from packs import discovery, tasks
from packs.models import PackOrder, PackPrompt
from prompts.models import Prompt
from tests.helpers import drain_queue
from tests.packs.conftest import create_from_pack, train_on_astria
from tunes.models import Tune


def _together(func, runners):
    """Run func() in several threads released at once; return results and errors."""
    barrier = threading.Barrier(runners)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(func())
        except Exception as exc:  # reported by the test, with the database's name
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if connection.vendor == "sqlite":
        # SQLite lets one writer in at a time: the others may only see "locked".
        errors = [error for error in errors if "locked" not in str(error)]
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_racing_adoptions_make_one_prompt(owner_client, offered, emulator):
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    made = train_on_astria(emulator, tune, prompts=3)
    order = PackOrder.objects.get()
    remote = astria.parse_prompt(made[0])

    results, errors = _together(
        lambda: discovery.adopt(PackOrder.objects.get(pk=order.pk), remote), runners=4
    )
    assert errors == []
    # On SQLite the adopting thread itself may be the one that met a lock later on.
    assert results.count(True) == 1 or (connection.vendor == "sqlite" and True not in results)
    assert Prompt.objects.filter(remote_id=remote.id).count() == 1
    assert PackPrompt.objects.filter(remote_id=remote.id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_callback_and_a_poll_together_adopt_each_prompt_once(owner_client, offered, emulator):
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    train_on_astria(emulator, tune, prompts=3)
    order = PackOrder.objects.get()

    _, errors = _together(lambda: tasks.discover_pack(order.pk), runners=2)
    assert errors == []
    tasks.discover_pack(order.pk)  # whatever a locked SQLite writer left
    drain_queue()
    assert Prompt.objects.filter(tune=tune).count() == 3
    assert PackPrompt.objects.count() == 3
