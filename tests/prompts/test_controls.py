"""Options that cost money or change the product come only from the portal's own fields:
user text that Astria would read as a setting is refused, in the forms and before sending."""

import pytest
from django_q.models import OrmQ

from astria_portal import quota
from astria_portal.astria import syntax
from prompts.forms import PromptForm
from prompts.models import Prompt
from prompts.presets import presets_for
from tests.helpers import drain_queue
from tunes.forms import CLASS_CHOICES, TuneForm
from tunes.models import Tune

pytestmark = pytest.mark.django_db

FLAG_MESSAGE = (
    "Leave out --options such as --ar or --upscale_v4: Astria would read them as (paid) "
    "settings. Choose the shape and the quality with the form's own fields."
)
TAG_MESSAGE = "Leave out <lora:…> and <faceid:…> tags: the portal adds your fine-tune's own."
PLACEHOLDER_MESSAGE = (
    "Leave out {{…}}: Astria would fill it in as a placeholder. Write the words themselves."
)

FLAGS = [
    "a man --video --upscale_v4 --ar 21:9",
    "a man --remove_background",
    "a man, --improve_similarity 0.5",
    "a man --outpaint right",
    "a man --AR 16:9",
    "a man -- ar 16:9",
    "a man —ar 21:9",  # an editor's em dash for "--"
    "a man –upscale_v4",  # an en dash
    "a man －－ar 21:9",  # full-width hyphens
    "a man -\u200b-video",  # a zero-width space between the dashes
    "a man --\u200bvideo",
]
TAGS = ["<lora:1504944:1> a woman", "a woman <FACEID:77:1>", "a woman < lora :12:1>",
        "a woman <lyco:9:1>", "a woman ＜lora:5:1＞"]  # fmt: skip
PLACEHOLDERS = ["a woman with {{eye_color}} eyes", "a {{ class }} portrait"]
PLAIN = [
    "a well-known man in a t-shirt, mid-thirties",
    "a man — smiling — in the rain",
    "a man–woman duet",
    "a portrait in 3:2, 85mm, f/1.8",
    "a child < 10 years old with a {red} balloon",
    "a sign that says 5 - 10",
]


def form(**changes):
    return PromptForm({"text": "a studio portrait of a woman", "num_images": "4",
                       "aspect_ratio": "1:1", **changes})  # fmt: skip


@pytest.mark.parametrize(
    ("texts", "message"),
    [(FLAGS, FLAG_MESSAGE), (TAGS, TAG_MESSAGE), (PLACEHOLDERS, PLACEHOLDER_MESSAGE)],
)
def test_the_form_refuses_controls_in_the_text_and_says_what_to_use(texts, message):
    for text in texts:
        bound = form(text=text)
        assert not bound.is_valid(), text
        assert bound.errors["text"] == [message], text


@pytest.mark.parametrize("text", [FLAGS[0], TAGS[0], PLACEHOLDERS[0]])
def test_the_form_refuses_controls_in_what_to_leave_out(text):
    bound = form(negative_prompt=text)
    assert not bound.is_valid()
    assert "negative_prompt" in bound.errors and "text" not in bound.errors


def test_every_kind_found_is_named():
    bound = form(text="<lora:1:1> a man --video {{x}}")
    assert bound.errors["text"] == [FLAG_MESSAGE, TAG_MESSAGE, PLACEHOLDER_MESSAGE]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_prose_with_dashes_colons_and_brackets_is_fine(text):
    assert syntax.controls(text) == []
    assert form(text=text, negative_prompt=text).is_valid()


def test_the_page_shows_the_error_and_keeps_what_was_typed(owner_client, trained_tune):
    data = {"text": "a man --upscale_v4", "num_images": "4", "aspect_ratio": "1:1",
            "seed": "77"}  # fmt: skip
    response = owner_client.post(f"/prompts/for/{trained_tune.code}/new/", data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Leave out --options such as --ar or --upscale_v4" in content
    assert "a man --upscale_v4" in content and 'value="77"' in content
    assert Prompt.objects.count() == 0 and OrmQ.objects.count() == 0


@pytest.mark.parametrize("class_name", [value for value, _ in CLASS_CHOICES if value != "other"])
def test_every_preset_passes_the_form_for_every_class(class_name):
    tune = Tune(class_name=class_name, model_kind="sd15")
    for _, label, text in presets_for(tune):
        assert form(text=text).is_valid(), label


def tune_form(custom_class):
    data = {"name": "Mine", "class_name": "other", "custom_class": custom_class,
            "model_kind": "sd15"}  # fmt: skip
    return TuneForm(data)


@pytest.mark.parametrize(
    "custom_class", ["man --video", "man -video", "man <lora:1:1>", "vase {{x}}", "-vase",
                     "vase-", "t--shirt", "man—video", "vase2"],
)  # fmt: skip
def test_a_custom_class_must_be_plain_words(custom_class):
    errors = tune_form(custom_class).errors["custom_class"]
    assert errors == [
        "Use a plain word, e.g. “sneaker”: letters only, words joined by one space or one "
        "hyphen (“t-shirt”)."
    ]


@pytest.mark.parametrize(
    ("custom_class", "cleaned"),
    [("Sneaker", "sneaker"), ("t-shirt", "t-shirt"), ("  coffee   mug ", "coffee mug")],
)
def test_a_plain_custom_class_is_kept(custom_class, cleaned):
    bound = tune_form(custom_class)
    bound.is_valid()
    assert "custom_class" not in bound.errors
    assert bound.cleaned_data["custom_class"] == cleaned


# Prompts saved before the forms refused such text: never sent as typed.


def images_used(user):
    return quota.allowance(user.id).images_used


@pytest.mark.parametrize("text", [FLAGS[0], TAGS[1], PLACEHOLDERS[0]])
def test_a_saved_prompt_with_controls_fails_unsent_and_gives_its_images_back(
    emulator_media, astria_tune, submit_prompt, text
):
    tune = astria_tune(class_name="man")
    prompt = submit_prompt(tune, text=text, num_images=3)
    assert images_used(tune.owner) == 3
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert prompt.last_error.startswith("Not sent to Astria: its text has ")
    assert "which Astria reads as settings, not words. Write the prompt again" in (
        prompt.last_error
    )
    assert prompt.sent_text == "" and prompt.remote_id is None
    assert emulator_media.remote_prompts() == []
    assert images_used(tune.owner) == 0


def test_a_tune_whose_saved_class_has_flags_sends_no_prompt(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune(class_name="man")
    Tune.objects.filter(pk=tune.pk).update(class_name="man --video")
    prompt = submit_prompt(Tune.objects.get(pk=tune.pk), text="a man on a beach")
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert prompt.last_error == (
        "Not sent to Astria: the fine-tune's class name has --options, which Astria reads "
        "as settings, not words. Make the fine-tune again with a plain one."
    )
    assert emulator_media.remote_prompts() == []


def test_a_prompt_fixed_before_the_guard_is_not_sent_either(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune(class_name="man")
    prompt = submit_prompt(tune, text="a man --upscale_v4")
    Prompt.objects.filter(pk=prompt.pk).update(sent_text="sks man --upscale_v4")
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert emulator_media.remote_prompts() == []


def test_the_failure_is_shown_on_the_card(owner_client, emulator_media, astria_tune,
                                          submit_prompt):  # fmt: skip
    tune = astria_tune(class_name="man")
    submit_prompt(tune, text="a man --video")
    drain_queue()
    content = owner_client.get(tune.get_absolute_url()).content.decode()
    assert "Not sent to Astria: its text has --options" in content


def test_generate_again_refuses_such_a_prompt(owner_client, trained_tune):
    prompt = Prompt.objects.create(tune=trained_tune, text="a woman --upscale_v4",
                                   status=Prompt.Status.DONE)  # fmt: skip
    response = owner_client.post(f"/prompts/{prompt.code}/again/", follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Not sent to Astria: its text has --options, which Astria reads as settings, not "
        "words. Write the prompt again without them."
    ]
    assert Prompt.objects.count() == 1 and OrmQ.objects.count() == 0
    assert images_used(trained_tune.owner) == 0
