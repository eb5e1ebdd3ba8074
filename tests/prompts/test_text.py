"""The trigger each model needs is put into the user's plain prompt."""

import pytest

from prompts.models import Prompt, astria_text
from tunes.models import Tune


def tune(model_kind="sd15", class_name="man", token="", remote_id=1661944, test_mode=False):
    return Tune(
        model_kind=model_kind,
        class_name=class_name,
        token=token,
        remote_id=remote_id,
        test_mode=test_mode,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a corporate headshot of a man in a suit", "a corporate headshot of sks man in a suit"),
        ("Portrait of an Man, smiling", "Portrait of sks man, smiling"),
        ("portrait of sks man at dusk", "portrait of sks man at dusk"),
        ("a castle on a hill", "sks man, a castle on a hill"),
        ("a  woman  and\na manly dog", "sks man, a woman and a manly dog"),
    ],
)
def test_a_checkpoint_prompt_names_its_token_and_class(text, expected):
    assert astria_text(tune(), text) == expected


def test_a_custom_token_is_used():
    assert astria_text(tune(token="zwx"), "photo of a man") == "photo of zwx man"


def test_a_flux_lora_prompt_carries_its_tag_then_token_and_class():
    # Astria's Flux docs: "<lora:tune_id:strength> a painting of ohwx man in the style of ..."
    text = astria_text(tune("flux-lora"), "a man on a beach")
    assert text == "<lora:1661944:1> ohwx man on a beach"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Astria's FaceID docs: "<faceid:tune_id:strength> woman trekking in the alps".
        ("trekking in the alps", "<faceid:1661944:1> woman trekking in the alps"),
        ("portrait in a navy suit", "<faceid:1661944:1> woman portrait in a navy suit"),
        ("a woman in a leather jacket", "<faceid:1661944:1> woman in a leather jacket"),
        ("Woman, smiling", "<faceid:1661944:1> woman smiling"),
        ("a  womanly\nlook", "<faceid:1661944:1> woman a womanly look"),
    ],
)
def test_a_faceid_prompt_puts_the_class_word_right_after_its_tag(text, expected):
    assert astria_text(tune("faceid", class_name="woman"), text) == expected


@pytest.mark.parametrize("model_kind", ["sd15", "flux-lora", "faceid"])
def test_a_test_mode_prompt_of_every_model_names_token_and_class_without_a_tag(model_kind):
    made = tune(model_kind, class_name="woman", test_mode=True)
    text = astria_text(made, "a woman in a navy suit")
    assert text == f"{made.trigger_token} woman in a navy suit"
    assert "<" not in text


@pytest.mark.parametrize(
    ("model_kind", "test_mode", "target"),
    [
        ("sd15", False, 1661944),
        ("flux-lora", False, 1504944),
        ("faceid", False, 690204),
        ("sd15", True, 1661944),
        ("flux-lora", True, 1661944),
        ("faceid", True, 1661944),
    ],
)
def test_prompts_go_to_the_base_tune_only_for_adapter_models_outside_test_mode(
    model_kind, test_mode, target
):
    assert tune(model_kind, test_mode=test_mode).prompt_target_id == target


def test_the_options_sent_leave_out_what_is_unset_and_inpainting_needs_super_resolution():
    prompt = Prompt(text="x", sent_text="sks man", super_resolution=False, inpaint_faces=True)
    fields = prompt.astria_fields()
    assert fields == {
        "text": "sks man",
        "num_images": 4,
        "aspect_ratio": "1:1",
        "super_resolution": False,
        "face_correct": False,
        "inpaint_faces": False,
    }
