"""A pack's new fine-tune form is refused as the plain one is: 429 over the upload
limits, 503 when every decoding slot is taken, both with Retry-After, nothing kept."""

import pytest

from astria_portal import slots
from tests.packs.conftest import create_from_pack
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def test_too_many_attempts_are_a_429_with_what_was_typed(owner_client, offered, settings):
    settings.TUNE_UPLOADS_PER_HOUR = 1
    pack_id = next(iter(offered))
    owner_client.post(f"/packs/{pack_id}/new/", {"name": "", "class_name": "woman"})  # counted
    response = create_from_pack(owner_client, pack_id, name="Second try")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "You can send the new fine-tune form 1 time an hour" in page
    assert 'value="Second try"' in page
    assert not Tune.objects.exists()


def test_every_slot_taken_is_a_503_asking_to_try_again(owner_client, offered, monkeypatch):
    def busy(kind, count, retry_after=5):
        raise slots.Busy(retry_after)

    monkeypatch.setattr(slots, "slot", busy)
    response = create_from_pack(owner_client, next(iter(offered)), name="Busy day")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "The portal is busy preparing other photos right now." in page
    assert 'value="Busy day"' in page
    assert not Tune.objects.exists()
