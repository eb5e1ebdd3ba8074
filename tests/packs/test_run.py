"""A pack on a fine-tune already trained: POST /p/:id/tunes with tune_ids, charged once."""

import pytest

from astria_portal import quota
from packs import tasks
from packs.models import PackOrder
from prompts.models import Prompt
from tests.helpers import drain_queue
from tunes.models import Tune
from tunes.tasks import refresh_tune


@pytest.fixture
def trained(owner_client, emulator):
    from tests.helpers import photo_uploads, wait_for

    data = {"name": "Me", "class_name": "woman", "model_kind": "sd15", "test_mode": "on"}
    owner_client.post("/tunes/new/", {**data, "photos": photo_uploads(4)})
    tune = Tune.objects.get()
    drain_queue()
    wait_for(lambda: refresh_tune(tune.pk), lambda status: status == Tune.Status.TRAINED, 10)
    tune.refresh_from_db()
    return tune


@pytest.mark.django_db
def test_a_pack_runs_on_a_trained_tune(owner_client, owner, trained, offered, emulator):
    before = quota.allowance(owner.id).images_used
    response = owner_client.post("/packs/301/run/", {"tune": str(trained.code)})
    assert response.status_code == 302
    assert quota.allowance(owner.id).images_used == before + offered[301].cost
    drain_queue()  # sends the run
    [sent] = emulator.requests("POST", "/p/301/tunes")
    assert sent["status"] == 201
    order = PackOrder.objects.get()
    assert order.status == PackOrder.Status.RUNNING and not order.with_tune
    tasks.discover_pack(order.pk)
    drain_queue()
    assert Prompt.objects.filter(tune=trained, pack_prompt__order=order).count() == 2
    assert quota.allowance(owner.id).images_used == before + offered[301].cost


@pytest.mark.django_db
def test_a_refused_run_gives_the_images_back(owner_client, owner, trained, offered, emulator):
    before = quota.allowance(owner.id).images_used
    emulator.fault("POST", "/p/301/tunes", status=422)
    owner_client.post("/packs/301/run/", {"tune": str(trained.code)})
    drain_queue()
    order = PackOrder.objects.get()
    assert order.status == PackOrder.Status.FAILED
    assert quota.allowance(owner.id).images_used == before


@pytest.mark.django_db
def test_another_users_tune_is_a_404(client, outsider, trained, offered):
    client.force_login(outsider)
    assert client.post("/packs/301/run/", {"tune": str(trained.code)}).status_code == 404
    assert not PackOrder.objects.exists()
