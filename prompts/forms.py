import re

from django import forms

from prompts.models import ASPECT_RATIOS

# The portal writes the tune's own tag; a tag typed by the user could point at
# someone else's model.
TAG = re.compile(r"<\s*(lora|faceid)\s*:", re.IGNORECASE)
PLACEHOLDER = "Plain words: who, wearing what, where, in what light."
TAG_MESSAGE = "Leave out <lora:…> and <faceid:…> tags: the portal adds your fine-tune's own."


class PromptForm(forms.Form):
    text = forms.CharField(
        max_length=1500,
        label="Describe the picture",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": PLACEHOLDER}),
        error_messages={"required": "Describe the picture you want."},
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

    def clean_text(self):
        text = self.cleaned_data["text"]
        if TAG.search(text):
            raise forms.ValidationError(TAG_MESSAGE)
        return text

    def clean_negative_prompt(self):
        text = self.cleaned_data["negative_prompt"]
        if TAG.search(text):
            raise forms.ValidationError(TAG_MESSAGE)
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("inpaint_faces") and not cleaned.get("super_resolution"):
            self.add_error(
                "inpaint_faces", "Inpainting faces needs super resolution: turn that on too."
            )
        return cleaned
