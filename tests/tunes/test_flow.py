"""The whole training flow over real HTTP: form, worker tasks, emulator, callback."""

import pytest
from django.core import mail

from astria_portal.models import CallbackReceipt
from tests.helpers import drain_queue, photo_uploads, wait_for
from tunes.models import Tune


@pytest.mark.django_db(transaction=True)
def test_from_upload_to_trained_by_callback(live_server, emulator, owner_client, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    emulator.config(callbacks_enabled=True, train_seconds=0.5)
    data = {"name": "Me", "class_name": "man", "model_kind": "flux-lora", "test_mode": "on"}
    response = owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)})
    assert response.status_code == 302
    tune = Tune.objects.get()

    drain_queue()  # the worker submits the tune
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINING

    # Astria calls back at the signed URL; the portal records it and enqueues a refresh.
    receipts = CallbackReceipt.objects.filter(object_code=tune.code)
    assert wait_for(receipts.exists, bool, seconds=10)
    # The emulator logs the callback once our answer is back, a moment after the receipt.
    [sent] = emulator.callbacks(count=1)
    assert sent["status"] == 204
    assert sent["url"].startswith(f"{live_server.url}/callbacks/tune/{tune.code}/?token=")

    drain_queue()  # the worker refreshes it from the API and e-mails the owner
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert tune.expires_at is not None
    assert [m.subject for m in mail.outbox] == ["Your fine-tune “Me” is trained"]
    assert len(emulator.requests("POST", "/tunes")) == 1

    page = owner_client.get(f"/tunes/{tune.code}/status/")
    assert b"Stored until " in page.content


@pytest.mark.django_db
def test_what_astria_receives_has_no_metadata(emulator, owner_client):
    import io

    import requests
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.helpers import jpeg_bytes

    exif = Image.Exif()
    exif[0x010E] = "home address in the description"
    tagged = jpeg_bytes(seed=5, exif=exif, comment=b"camera serial 1234")
    photos = [SimpleUploadedFile("tagged.jpg", tagged), *photo_uploads(3)]
    data = {"name": "Me", "class_name": "man", "model_kind": "sd15", "photos": photos}
    owner_client.post("/tunes/new/", data)
    drain_queue()

    [remote] = emulator.remote_tunes()
    sent = [requests.get(url, timeout=10).content for url in remote["orig_images"]]
    assert len(sent) == 4
    for content in sent:
        assert b"home address" not in content and b"camera serial" not in content
        assert not Image.open(io.BytesIO(content)).getexif()
