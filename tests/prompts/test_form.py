"""The prompt form: what it refuses, with which message, keeping what was typed."""

import re

import pytest
from django_q.models import OrmQ

from prompts.forms import PromptForm
from prompts.models import Prompt

pytestmark = pytest.mark.django_db

VALID = {"text": "a studio portrait of a woman", "num_images": "4", "aspect_ratio": "1:1"}


def post(client, tune, **changes):
    data = {**VALID, "super_resolution": "on", **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/prompts/for/{tune.code}/new/", data)


def test_a_minimal_prompt_is_valid_with_the_defaults():
    form = PromptForm(VALID)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["num_images"] == 4
    assert form.cleaned_data["seed"] is None
    assert form.cleaned_data["super_resolution"] is False  # an unticked box is off
    assert PromptForm().initial == {} and PromptForm().fields["super_resolution"].initial is True


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_it_asks_for_text(owner_client, trained_tune, text):
    response = post(owner_client, trained_tune, text=text, negative_prompt="sunglasses")
    assert response.status_code == 200
    assert response.context["form"].errors["text"] == ["Describe the picture you want."]
    assert b'value="sunglasses"' in response.content
    assert Prompt.objects.count() == 0


@pytest.mark.parametrize(
    "text", ["<lora:1504944:1> a woman", "a woman <FACEID:77:1>", "a woman < lora :12:1>"]
)
def test_it_refuses_model_tags_and_keeps_the_text(owner_client, trained_tune, text):
    response = post(owner_client, trained_tune, text=text, seed="1234")
    errors = response.context["form"].errors["text"]
    assert errors == [
        "Leave out <lora:…> and <faceid:…> tags: the portal adds your fine-tune's own."
    ]
    content = response.content.decode()
    assert "a woman" in content and 'value="1234"' in content
    assert Prompt.objects.count() == 0 and OrmQ.objects.count() == 0


def test_it_refuses_tags_in_the_negative_prompt_too(owner_client, trained_tune):
    response = post(owner_client, trained_tune, negative_prompt="<lora:5:1>")
    assert "negative_prompt" in response.context["form"].errors


def test_inpainting_faces_needs_super_resolution(owner_client, trained_tune):
    response = post(owner_client, trained_tune, super_resolution=None, inpaint_faces="on")
    assert response.status_code == 200
    errors = response.context["form"].errors["inpaint_faces"]
    assert errors == ["Inpainting faces needs super resolution: turn that on too."]
    content = response.content.decode()
    assert '<details class="advanced" open>' in content  # the error is not hidden
    assert re.search(r'<input type="checkbox" name="inpaint_faces"[^>]* checked>', content)
    assert re.search(
        r'<input type="checkbox" name="super_resolution" id="id_super_resolution">', content
    )
    assert Prompt.objects.count() == 0


@pytest.mark.parametrize("count", ["0", "9", "-1"])
def test_the_number_of_images_is_between_1_and_8(owner_client, trained_tune, count):
    response = post(owner_client, trained_tune, num_images=count, text="keep me")
    assert response.context["form"].errors["num_images"] == ["Choose between 1 and 8 images."]
    assert f'value="{count}"' in response.content.decode()
    assert "keep me" in response.content.decode()
    assert Prompt.objects.count() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("seed", "-1"),
        ("seed", str(2**32)),
        ("cfg_scale", "15.5"),
        ("cfg_scale", "-0.1"),
        ("steps", "0"),
        ("steps", "51"),
        ("aspect_ratio", "7:3"),  # not one of the shapes Astria lists
    ],
)
def test_advanced_values_out_of_range_are_refused(field, value):
    form = PromptForm({**VALID, field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_the_edges_of_the_ranges_are_accepted():
    form = PromptForm({**VALID, "seed": str(2**32 - 1), "cfg_scale": "15", "steps": "50"})
    assert form.is_valid(), form.errors
    form = PromptForm({**VALID, "seed": "0", "cfg_scale": "0", "steps": "1", "num_images": "8"})
    assert form.is_valid(), form.errors
