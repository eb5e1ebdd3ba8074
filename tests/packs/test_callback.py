"""The URL Astria calls for a pack's prompts: signed per tune, a hint, one task at a time."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from astria_portal.callbacks import pack_callback_url
from packs.models import Pack, PackOrder
from tests.helpers import queued_funcs


@pytest.fixture
def order(make_tune):
    tune = make_tune(pack_remote_id=260, pack_images=6)
    pack = Pack.objects.create(remote_id=260, title="P", classes={"woman": {"prompts": 3}})
    return PackOrder.objects.create(tune=tune, pack=pack, images_charged=6, expected_prompts=3)


def _path(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db
def test_a_signed_callback_enqueues_one_discovery_however_many_come(client, order):
    url = _path(pack_callback_url(order.tune))
    for _ in range(5):
        response = client.post(url, data=b'[{"id": 1}]', content_type="application/json")
        assert response.status_code == 204
    assert queued_funcs().count("packs.tasks.discover_pack") == 1


@pytest.mark.django_db
def test_a_callback_with_a_bad_token_or_for_another_tune_is_refused(client, order, make_tune):
    other = make_tune()
    bad = reverse("packs:callback", args=[order.tune.code]) + "?token=forged"
    assert client.post(bad).status_code == 404
    swapped = _path(pack_callback_url(other)).replace(str(other.code), str(order.tune.code))
    assert client.post(swapped).status_code == 404
    assert "packs.tasks.discover_pack" not in queued_funcs()
