"""Writing a prompt: saved, charged and enqueued together, or not at all."""

import pytest
from django_q.models import OrmQ

from astria_portal import quota
from astria_portal.models import Quota
from prompts.models import Prompt
from tests.helpers import queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db

FULL = {
    "text": "  a studio portrait of a woman, rim light  ",
    "negative_prompt": "sunglasses",
    "num_images": "3",
    "aspect_ratio": "4:5",
    "seed": "42",
    "cfg_scale": "6.5",
    "steps": "30",
    "super_resolution": "on",
    "face_correct": "on",
    "inpaint_faces": "on",
}


def test_a_prompt_is_saved_charged_and_enqueued(owner_client, owner, trained_tune):
    response = owner_client.post(f"/prompts/for/{trained_tune.code}/new/", FULL)
    prompt = Prompt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tunes/{trained_tune.code}/#prompt-{prompt.code}"
    assert prompt.tune == trained_tune
    assert prompt.text == "a studio portrait of a woman, rim light"
    assert prompt.negative_prompt == "sunglasses"
    assert (prompt.num_images, prompt.aspect_ratio) == (3, "4:5")
    assert (prompt.seed, prompt.cfg_scale, prompt.steps) == (42, 6.5, 30)
    assert prompt.super_resolution and prompt.face_correct and prompt.inpaint_faces
    assert prompt.status == Prompt.Status.PENDING
    assert prompt.next_attempt_at is not None
    assert quota.allowance(owner.id).images_used == 3
    assert queued_funcs() == ["prompts.tasks.submit_prompt"]
    assert OrmQ.objects.get().task["args"] == (prompt.pk,)
    page = owner_client.get(response["Location"])
    assert "On the way: 3 images of “a studio portrait of a woman, rim light”." in (
        page.content.decode()
    )


def test_the_optional_settings_stay_empty(owner_client, trained_tune):
    data = {"text": "a woman", "num_images": "1", "aspect_ratio": "1:1"}
    owner_client.post(f"/prompts/for/{trained_tune.code}/new/", data)
    prompt = Prompt.objects.get()
    assert (prompt.seed, prompt.cfg_scale, prompt.steps) == (None, None, None)
    assert not prompt.super_resolution and not prompt.inpaint_faces
    assert prompt.negative_prompt == ""


def test_a_user_at_their_quota_is_told_and_nothing_is_created(owner_client, owner, trained_tune):
    Quota.objects.create(user=owner, images_per_month=10)
    quota.charge(owner.id, images=8)
    response = owner_client.post(f"/prompts/for/{trained_tune.code}/new/", FULL)
    assert response.status_code == 200
    message = "This needs 3 images and 2 of your 10 images this month are left."
    assert response.context["form"].non_field_errors() == [message]
    content = response.content.decode()
    assert message in content
    assert "a studio portrait of a woman, rim light" in content
    assert 'value="sunglasses"' in content
    assert "<strong>2</strong> of 10 images left this month" in content
    assert Prompt.objects.count() == 0
    assert OrmQ.objects.count() == 0
    assert quota.allowance(owner.id).images_used == 8


def test_the_page_says_what_is_left_this_month(owner_client, owner, trained_tune):
    quota.charge(owner.id, images=88)
    response = owner_client.get(trained_tune.get_absolute_url())
    assert "<strong>312</strong> of 400 images left this month" in response.content.decode()


@pytest.mark.parametrize("status", [Tune.Status.PENDING, Tune.Status.TRAINING])
def test_prompts_can_wait_for_a_tune_in_training(owner_client, make_tune, status):
    tune = make_tune(status=status)
    page = owner_client.get(tune.get_absolute_url())
    assert b"Prompts you write now wait, and run as soon as training ends." in page.content
    response = owner_client.post(f"/prompts/for/{tune.code}/new/", FULL, follow=True)
    assert Prompt.objects.filter(tune=tune).count() == 1
    assert b"will be made as soon as training ends" in response.content
    assert b"Waits for your fine-tune to finish training." in response.content
    assert queued_funcs() == ["prompts.tasks.submit_prompt"]


@pytest.mark.parametrize(
    "status, reason",
    [
        (Tune.Status.FAILED, "Training failed, so this fine-tune cannot make images."),
        (Tune.Status.DELETING, "This fine-tune is being deleted"),
        (Tune.Status.EXPIRED, "at the end of its 30-day storage period"),
    ],
)
def test_no_prompts_on_a_tune_that_cannot_make_images(
    owner_client, owner, make_tune, status, reason
):
    tune = make_tune(status=status)
    page = owner_client.get(tune.get_absolute_url()).content.decode()
    assert reason in page
    assert f"/prompts/for/{tune.code}/new/" not in page
    response = owner_client.post(f"/prompts/for/{tune.code}/new/", FULL, follow=True)
    assert b"This fine-tune cannot make images any more." in response.content
    assert Prompt.objects.count() == 0
    assert OrmQ.objects.count() == 0
    assert quota.allowance(owner.id).images_used == 0


def test_a_preset_fills_the_text_without_javascript(owner_client, trained_tune):
    page = owner_client.get(trained_tune.get_absolute_url()).content.decode()
    assert f'href="/tunes/{trained_tune.code}/?preset=corporate-headshot#new-prompt"' in page
    assert 'data-preset="a corporate headshot of a woman in a navy suit' in page
    response = owner_client.get(f"{trained_tune.get_absolute_url()}?preset=corporate-headshot")
    assert response.context["form"]["text"].value().startswith("a corporate headshot of a woman")
    assert not response.context["form"].is_bound


def test_the_presets_name_the_tunes_subject(owner_client, make_tune):
    tune = make_tune(class_name="dog", status=Tune.Status.TRAINED)
    page = owner_client.get(tune.get_absolute_url()).content.decode()
    for label in ("Corporate headshot", "Studio portrait", "Outdoor portrait", "Casual lifestyle"):
        assert label in page
    assert "a studio portrait of a dog" in page
    assert "of a woman" not in page
