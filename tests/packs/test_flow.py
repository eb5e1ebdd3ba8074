"""A fine-tune from a pack: created through POST /p/:id/tunes, charged once, and every
pack prompt found and downloaded with every callback dropped."""

import pytest
from django.conf import settings

from astria_portal import quota
from packs import tasks
from packs.models import PackOrder, PackPrompt
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue
from tests.packs.conftest import create_from_pack, make_due, train_on_astria
from tunes.models import Tune


@pytest.mark.django_db
def test_a_pack_tune_is_charged_once_and_sent_to_the_pack(owner_client, owner, offered, emulator):
    before = quota.allowance(owner.id)
    response = create_from_pack(owner_client, 260)
    assert response.status_code == 302, response.content[:3000]
    tune = Tune.objects.get()
    assert (tune.pack_remote_id, tune.pack_images, tune.model_kind) == (260, 6, "flux-lora")
    after = quota.allowance(owner.id)
    assert after.tunes_used == before.tunes_used + 1
    assert after.images_used == before.images_used + 6
    order = PackOrder.objects.get()
    assert (order.tune, order.images_charged, order.expected_prompts) == (tune, 6, 3)

    drain_queue()
    [sent] = emulator.requests("POST", "/p/260/tunes")
    assert sent["title"] == str(tune.title) and sent["status"] == 201
    assert emulator.requests("POST", "/tunes") == []
    [remote] = [t for t in emulator.remote_tunes() if t["id"] == sent["object_id"]]
    assert remote["base_pack_id"] == 260
    expected = f"{settings.PUBLIC_BASE_URL}/packs/callbacks/{tune.code}/?token="
    assert remote["prompts_callback"].startswith(expected)


@pytest.mark.django_db
def test_every_pack_image_arrives_with_callbacks_dropped(owner_client, owner, offered, emulator):
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    made = train_on_astria(emulator, tune, prompts=3)
    assert tune.status == Tune.Status.TRAINED
    ours = f"{settings.PUBLIC_BASE_URL}/packs/callbacks/"
    assert all(p["callback"].startswith(ours) for p in made)
    used = quota.allowance(owner.id).images_used

    order = PackOrder.objects.get()
    make_due(order)
    assert tasks.reconcile_packs() == 1
    drain_queue()  # discovery, then every image download

    prompts = Prompt.objects.filter(tune=tune)
    assert sorted(prompts.values_list("remote_id", flat=True)) == sorted(p["id"] for p in made)
    assert set(prompts.values_list("status", flat=True)) == {Prompt.Status.DONE}
    images = GeneratedImage.objects.filter(prompt__tune=tune)
    assert images.count() == 6 and all(image.is_ready for image in images)
    order.refresh_from_db()
    assert order.status == PackOrder.Status.DONE
    # Adopted, not charged again.
    assert quota.allowance(owner.id).images_used == used

    # Looking again finds nothing new.
    make_due(order)
    PackOrder.objects.filter(pk=order.pk).update(status=PackOrder.Status.RUNNING)
    tasks.discover_pack(order.pk)
    drain_queue()
    assert prompts.count() == 3 and PackPrompt.objects.count() == 3


@pytest.mark.django_db
def test_the_pack_page_shows_the_images_as_they_arrive(owner_client, offered, emulator):
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    train_on_astria(emulator, tune, prompts=3)
    tasks.discover_pack(PackOrder.objects.get().pk)
    drain_queue()
    page = owner_client.get(tune.get_absolute_url())
    assert page.content.count(b"office portrait by a window") >= 1
    for image in GeneratedImage.objects.filter(prompt__tune=tune):
        assert str(image.code).encode() in page.content


@pytest.mark.django_db
def test_a_failed_pack_prompt_gives_its_images_back(owner_client, owner, offered, emulator):
    emulator.call("POST", "fail-next-prompt", {"text": "office portrait"})
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    drain_queue()
    tune.refresh_from_db()
    from tests.helpers import wait_for

    wait_for(
        lambda: [p for p in emulator.remote_prompts() if p["tune_id"] == tune.remote_id],
        lambda found: len(found) == 3 and all(p["images"] or p["user_error"] for p in found),
        seconds=10,
    )
    from tunes.tasks import refresh_tune

    refresh_tune(tune.pk)
    used = quota.allowance(owner.id).images_used
    tasks.discover_pack(PackOrder.objects.get().pk)
    drain_queue()
    failed = Prompt.objects.get(status=Prompt.Status.FAILED)
    assert "office portrait" in failed.text
    assert quota.allowance(owner.id).images_used == used - failed.num_images
    assert Prompt.objects.filter(status=Prompt.Status.DONE).count() == 2


@pytest.mark.django_db
def test_a_pack_tune_that_fails_gives_the_pack_back(owner_client, owner, offered, emulator):
    emulator.call("POST", "fail-next-tune", {})
    before = quota.allowance(owner.id)
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    drain_queue()
    tune.refresh_from_db()
    from tests.helpers import wait_for
    from tunes.tasks import refresh_tune

    wait_for(lambda: refresh_tune(tune.pk), lambda status: status == Tune.Status.FAILED, 10)
    after = quota.allowance(owner.id)
    assert (after.tunes_used, after.images_used) == (before.tunes_used, before.images_used)
    order = PackOrder.objects.get()
    make_due(order)
    tasks.discover_pack(order.pk)
    order.refresh_from_db()
    assert order.status == PackOrder.Status.FAILED


@pytest.mark.django_db
def test_prompts_the_portal_posted_are_not_adopted(owner_client, offered, emulator):
    from prompts.tasks import submit_prompt

    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    train_on_astria(emulator, tune, prompts=3)
    mine = Prompt.objects.create(tune=tune, text="me on a beach", num_images=1)
    mine.next_attempt_at = mine.created_at
    mine.save()
    submit_prompt(mine.pk)
    # Its remote id not recorded yet, as if the answer were still on its way:
    Prompt.objects.filter(pk=mine.pk).update(remote_id=None)
    tasks.discover_pack(PackOrder.objects.get().pk)
    assert PackPrompt.objects.count() == 3
    assert not PackPrompt.objects.filter(prompt=mine).exists()


@pytest.mark.django_db
def test_only_offered_packs_and_the_packs_classes(owner_client, offered):
    type(offered[262]).objects.filter(remote_id=262).update(enabled=False)
    assert owner_client.get("/packs/262/new/").status_code == 404
    assert owner_client.get("/packs/12345/new/").status_code == 404
    page = owner_client.get("/packs/")
    assert b"Corporate Headshots" in page.content and b"Dating Profile" not in page.content
    response = create_from_pack(owner_client, 260, class_name="dog")
    assert response.status_code == 200 and not Tune.objects.exists()


@pytest.mark.django_db
def test_a_failed_pack_tune_is_not_trained_again_without_its_pack(owner_client, make_tune):
    tune = make_tune(pack_remote_id=260, pack_images=6, status=Tune.Status.FAILED)
    assert not tune.can_train_again
    response = owner_client.post(f"/tunes/{tune.code}/train-again/")
    assert response.status_code == 302
    assert Tune.objects.count() == 1


@pytest.mark.django_db
def test_the_tune_page_says_how_far_the_pack_is(owner_client, offered, emulator):
    create_from_pack(owner_client, 260)
    tune = Tune.objects.get()
    page = owner_client.get(tune.get_absolute_url())
    assert b"its portraits are made once training ends" in page.content
    train_on_astria(emulator, tune, prompts=3)
    page = owner_client.get(tune.get_absolute_url())
    assert b"0 of 3 prompts found so far" in page.content
    tasks.discover_pack(PackOrder.objects.get().pk)
    drain_queue()
    page = owner_client.get(tune.get_absolute_url())
    assert b"all 3 of its prompts are here" in page.content
