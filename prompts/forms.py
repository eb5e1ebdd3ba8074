from django import forms

from prompts import text as prompt_text
from prompts.models import ASPECT_RATIOS, COLOR_GRADINGS, STYLES

PLACEHOLDER = "Plain words: who, wearing what, where, in what light."


class PromptForm(forms.Form):
    text = forms.CharField(
        max_length=1500,
        label="Describe the picture",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": PLACEHOLDER}),
        error_messages={
            "required": "Describe the picture you want.",
            "max_length": "This description has %(show_value)d characters, and a prompt can "
            "have %(limit_value)d. Shorten it: nothing is cut off for you.",
        },
    )
    negative_prompt = forms.CharField(
        max_length=1000,
        required=False,
        label="Leave out",
        help_text="Things you do not want to see, e.g. “hat, sunglasses”.",
    )
    num_images = forms.IntegerField(
        min_value=1,
        max_value=8,
        initial=4,
        label="Images",
        error_messages={
            "min_value": "Choose between 1 and 8 images.",
            "max_value": "Choose between 1 and 8 images.",
        },
    )
    aspect_ratio = forms.ChoiceField(choices=ASPECT_RATIOS, initial="1:1", label="Shape")
    seed = forms.IntegerField(
        min_value=0, max_value=2**32 - 1, required=False, label="Seed",
        help_text="The same seed and settings give similar pictures. Empty: random.",
    )  # fmt: skip
    cfg_scale = forms.FloatField(
        min_value=0, max_value=15, required=False, label="Guidance (CFG scale)",
        help_text="0–15: how closely to follow the text. Empty: the model's default.",
    )  # fmt: skip
    steps = forms.IntegerField(
        min_value=1, max_value=50, required=False, label="Steps",
        help_text="1–50. Empty: the model's default.",
    )  # fmt: skip
    super_resolution = forms.BooleanField(
        required=False, initial=True, label="Super resolution: sharper, larger images"
    )
    face_correct = forms.BooleanField(required=False, label="Face correction")
    inpaint_faces = forms.BooleanField(
        required=False, label="Inpaint faces: redraw faces in detail (needs super resolution)"
    )
    # The look, from Astria's own lists (templates/prompts/_options.html).
    style = forms.ChoiceField(choices=STYLES, required=False, label="Style")
    color_grading = forms.ChoiceField(
        choices=COLOR_GRADINGS, required=False, label="Colour grading"
    )
    film_grain = forms.BooleanField(
        required=False, label="Film grain: a touch of noise, more like a photo"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No maxlength in the page: a browser would cut pasted text without a word.
        # The counter says how long it may be, and the form refuses longer text.
        self.fields["text"].widget.attrs.pop("maxlength", None)

    # Options that cost money or change the product come from the fields above only:
    # Astria reads --flags, <lora:…>/<faceid:…> tags (anyone's model) and {{…}} in text.
    def clean_text(self):
        return _plain(self.cleaned_data["text"])

    def clean_negative_prompt(self):
        return _plain(self.cleaned_data["negative_prompt"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("inpaint_faces") and not cleaned.get("super_resolution"):
            self.add_error(
                "inpaint_faces", "Inpainting faces needs super resolution: turn that on too."
            )
        return cleaned


def _plain(value):
    errors = prompt_text.form_errors(value)
    if errors:
        raise forms.ValidationError(errors)
    return value
