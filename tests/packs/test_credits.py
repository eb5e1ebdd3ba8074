"""A fine-tune from a pack in credits mode: the tune and the pack's images are one
charge, and a failed tune gives all of it back once."""

import pytest

from billing import ledger
from billing.models import CreditEntry
from tests.helpers import drain_queue, wait_for
from tests.packs.conftest import create_from_pack
from tunes.models import Tune
from tunes.tasks import refresh_tune

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("credits")]


@pytest.fixture
def credits(settings):
    settings.BILLING_MODE = "credits"
    settings.CREDITS_PER_TUNE = 100
    settings.CREDITS_PER_IMAGE = 2


def test_a_pack_tune_costs_the_tune_and_its_images(owner_client, owner, offered):
    ledger.grant(owner.id, 200)
    assert create_from_pack(owner_client, 260).status_code == 302
    tune = Tune.objects.get()
    [entry] = CreditEntry.objects.filter(kind=CreditEntry.Kind.TUNE)
    assert entry.credits == -(100 + tune.pack_images * 2) == -112
    assert ledger.balance(owner.id) == 88


def test_a_failed_pack_tune_gives_every_credit_back_once(
    owner_client,
    owner,
    offered,
    emulator,
):
    ledger.grant(owner.id, 200)
    emulator.call("POST", "fail-next-tune", {})
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    drain_queue()
    wait_for(lambda: refresh_tune(tune.pk), lambda status: status == Tune.Status.FAILED, 10)
    tune.refresh_from_db()
    tune.finished(Tune.Status.FAILED)  # a repeated report changes nothing
    assert ledger.balance(owner.id) == 200
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.REFUND).count() == 1
