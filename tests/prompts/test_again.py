"""Generate again: a copy of a prompt with a new random seed, charged like a new one."""

import pytest
from django_q.models import OrmQ

from astria_portal import quota
from astria_portal.models import Quota
from prompts.models import Prompt
from tests.helpers import queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def test_it_makes_a_new_prompt_with_the_same_settings_and_a_new_seed(
    owner_client, owner, make_prompt
):
    prompt = make_prompt(
        images=2, negative_prompt="hat", aspect_ratio="2:3", seed=1234, cfg_scale=7.0, steps=25,
        face_correct=True, inpaint_faces=True,
    )  # fmt: skip
    response = owner_client.post(f"/prompts/{prompt.code}/again/")
    again = Prompt.objects.exclude(pk=prompt.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/tunes/{prompt.tune.code}/#prompt-{again.code}"
    same = ["tune_id", "text", "negative_prompt", "num_images", "aspect_ratio", "cfg_scale",
            "steps", "super_resolution", "face_correct", "inpaint_faces"]  # fmt: skip
    assert [getattr(again, name) for name in same] == [getattr(prompt, name) for name in same]
    assert again.seed is not None and again.seed != 1234
    assert 0 <= again.seed < 2**32
    assert again.status == Prompt.Status.PENDING and again.images.count() == 0
    assert quota.allowance(owner.id).images_used == 2
    assert queued_funcs() == ["prompts.tasks.submit_prompt"]
    assert OrmQ.objects.get().task["args"] == (again.pk,)


def test_each_time_draws_a_different_seed(owner_client, make_prompt):
    prompt = make_prompt(images=1)
    for _ in range(3):
        owner_client.post(f"/prompts/{prompt.code}/again/")
    seeds = set(Prompt.objects.exclude(pk=prompt.pk).values_list("seed", flat=True))
    assert len(seeds) == 3


def test_a_failed_prompt_can_be_tried_again(owner_client, make_prompt):
    prompt = make_prompt(images=0, status=Prompt.Status.PENDING)
    prompt.mark_failed("Astria was down")
    owner_client.post(f"/prompts/{prompt.code}/again/")
    assert Prompt.objects.filter(status=Prompt.Status.PENDING).count() == 1


def test_at_the_quota_nothing_is_created_and_the_user_is_told(owner_client, owner, make_prompt):
    prompt = make_prompt(images=4)
    Quota.objects.create(user=owner, images_per_month=5)
    quota.charge(owner.id, images=2)
    response = owner_client.post(f"/prompts/{prompt.code}/again/", follow=True)
    assert b"This needs 4 images and 3 of your 5 images this month are left." in response.content
    assert Prompt.objects.count() == 1
    assert OrmQ.objects.count() == 0
    assert quota.allowance(owner.id).images_used == 2


def test_not_on_a_tune_that_cannot_make_images(owner_client, owner, make_prompt):
    prompt = make_prompt()
    Tune.objects.filter(pk=prompt.tune.pk).update(status=Tune.Status.EXPIRED)
    page = owner_client.get(prompt.tune.get_absolute_url()).content.decode()
    assert f"/prompts/{prompt.code}/again/" not in page
    response = owner_client.post(f"/prompts/{prompt.code}/again/", follow=True)
    assert b"This fine-tune cannot make images any more." in response.content
    assert Prompt.objects.count() == 1
    assert quota.allowance(owner.id).images_used == 0


def test_not_from_a_prompt_being_deleted(owner_client, make_prompt):
    prompt = make_prompt()
    prompt.mark_deleting()
    owner_client.post(f"/prompts/{prompt.code}/again/")
    assert Prompt.objects.count() == 1


def test_it_only_answers_post(owner_client, make_prompt):
    prompt = make_prompt()
    assert owner_client.get(f"/prompts/{prompt.code}/again/").status_code == 405
    assert Prompt.objects.count() == 1
