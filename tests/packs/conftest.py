import pytest
from django.utils import timezone

from packs import catalogue
from packs.models import Pack
from tests.helpers import drain_queue, wait_for


@pytest.fixture
def offered(emulator):
    """The emulator's packs read from "Astria", all offered to users."""
    catalogue.refresh()
    Pack.objects.update(enabled=True)
    return {pack.remote_id: pack for pack in Pack.objects.all()}


def pack_photos(count=4):
    from tests.helpers import photo_uploads

    return photo_uploads(count)


def create_from_pack(client, pack_id, class_name="woman", **extra):
    data = {"name": "Headshots", "class_name": class_name, "test_mode": "on", **extra}
    return client.post(f"/packs/{pack_id}/new/", {**data, "photos": pack_photos()})


def train_on_astria(emulator, tune, prompts):
    """Send the tune, wait for the emulator to train it and make the pack's prompts,
    and read the tune's state back (its callback is dropped in tests)."""
    from tunes.tasks import refresh_tune

    drain_queue()
    tune.refresh_from_db()
    assert tune.remote_id is not None
    made = wait_for(
        lambda: [p for p in emulator.remote_prompts() if p["tune_id"] == tune.remote_id],
        lambda found: len(found) >= prompts and all(p["images"] for p in found),
        seconds=10,
    )
    assert len(made) == prompts
    refresh_tune(tune.pk)
    tune.refresh_from_db()
    return made


def make_due(order):
    type(order).objects.filter(pk=order.pk).update(next_check_at=timezone.now())
