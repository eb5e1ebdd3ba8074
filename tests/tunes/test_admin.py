import pytest

from astria_portal.models import CallbackReceipt

pytestmark = pytest.mark.django_db


def test_staff_see_tunes_and_callback_receipts(client, staff, make_tune):
    tune = make_tune()
    CallbackReceipt.objects.create(
        kind="tune", object_code=tune.code, body_sha256="0" * 64, verdict="refresh"
    )
    client.force_login(staff)
    assert tune.name.encode() in client.get("/admin/tunes/tune/").content
    page = client.get(f"/admin/tunes/tune/{tune.pk}/change/").content.decode()
    assert str(tune.title) in page
    assert tune.callback_secret not in page
    assert str(tune.code).encode() in client.get("/admin/astria_portal/callbackreceipt/").content


def test_users_cannot_reach_the_admin(owner_client, make_tune):
    tune = make_tune()
    assert owner_client.get(f"/admin/tunes/tune/{tune.pk}/change/").status_code == 302
