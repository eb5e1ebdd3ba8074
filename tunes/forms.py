import re
import time

from django import forms
from django.conf import settings

from astria_portal import astria, oneline
from tunes import photos
from tunes.models import MODELS, PRESETS

CLASS_CHOICES = [
    ("woman", "Woman"),
    ("man", "Man"),
    ("person", "Person"),
    ("girl", "Girl"),
    ("boy", "Boy"),
    ("baby", "Baby"),
    ("couple", "Couple"),
    ("dog", "Dog"),
    ("cat", "Cat"),
    ("style", "An art style"),
    ("other", "Something else…"),
]
CLASS_WORDS = re.compile(r"[a-z]+(?:[ -][a-z]+)*")
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"
# Decoding stops taking new photos after this long: on a machine too busy to finish
# within gunicorn's 60 s timeout (deploy/gunicorn.conf.py), the user gets a message
# instead of a broken connection.
PREPARE_SECONDS = 40


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ACCEPT})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError("Choose the photos to train on.", code="required")
        return [super(PhotosField, self).clean(f, initial) for f in files]


class TuneForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Name",
        help_text="Just for you, e.g. “Me, summer 2026”.",
    )
    class_name = forms.ChoiceField(choices=CLASS_CHOICES, label="Who or what is in the photos?")
    custom_class = forms.CharField(
        max_length=40, required=False, label="In one word", help_text="e.g. sneaker, dress, vase"
    )
    model_kind = forms.ChoiceField(
        choices=[(key, spec["label"]) for key, spec in MODELS.items()],
        initial="flux-lora",
        widget=forms.RadioSelect,
        label="Model",
    )
    preset = forms.ChoiceField(
        choices=PRESETS,
        initial="flux-lora-portrait",
        required=False,
        label="Flux training preset",
        help_text="How Astria trains a Flux LoRA; the other models have none.",
    )
    photos = PhotosField(label="Photos")
    # Filled in by static/js/inspection.js from Astria's photo inspection, if it ran.
    characteristics = forms.CharField(required=False, widget=forms.HiddenInput)
    test_mode = forms.BooleanField(
        required=False,
        label="Test mode: free mock training",
        help_text="Astria returns sample images instead of training a real model.",
    )
    token = forms.RegexField(
        regex=r"^[a-z0-9]{2,20}$",
        required=False,
        label="Trigger word",
        help_text="Leave empty for the model's default (ohwx or sks).",
        error_messages={"invalid": "Use 2 to 20 lowercase letters or digits."},
    )
    steps = forms.IntegerField(
        required=False, min_value=100, max_value=5000, label="Training steps",
        help_text="Leave empty: Astria picks the best number.",
    )  # fmt: skip
    face_crop = forms.TypedChoiceField(
        choices=[("", "Account default"), ("true", "On"), ("false", "Off")],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
        label="Crop to faces",
    )

    def __init__(self, *args, choose_test_mode=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not choose_test_mode:  # tunes.test_mode: a staff setting decides it
            del self.fields["test_mode"]

    def clean_name(self):
        # One line: the name goes into e-mail subjects and the admin's lists.
        value = oneline.collapse(self.cleaned_data["name"])
        oneline.validate(value)
        return value

    def clean_custom_class(self):
        # The class goes into every prompt of the tune: words only, so that nothing in
        # it reads as an Astria option ("man --video").
        value = " ".join(self.cleaned_data["custom_class"].split()).lower()
        if value and not (len(value) >= 2 and CLASS_WORDS.fullmatch(value)):
            raise forms.ValidationError(
                "Use a plain word, e.g. “sneaker”: letters only, words joined by one space "
                "or one hyphen (“t-shirt”)."
            )
        return value

    def clean_characteristics(self):
        return astria.read_characteristics(self.cleaned_data["characteristics"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("class_name") == "other" and "custom_class" not in self.errors:
            if not cleaned.get("custom_class"):
                self.add_error("custom_class", "Say in one word what is in the photos.")
            else:
                cleaned["class_name"] = cleaned["custom_class"]
        if cleaned.get("model_kind") != "flux-lora":
            cleaned["preset"] = ""
        files = cleaned.get("photos")
        if files:
            cleaned["photos"] = self._sanitised(files, cleaned.get("model_kind"))
        return cleaned

    def _sanitised(self, files, model_kind):
        """Check every photo cheaply first; decode them only if the form is otherwise
        valid, holding an upload slot (photos.preparing() raises slots.Busy)."""
        minimum = settings.TUNE_PHOTOS_MIN
        if model_kind == "faceid":
            minimum = settings.FACEID_PHOTOS_MIN
        maximum = settings.TUNE_PHOTOS_MAX
        if not minimum <= len(files) <= maximum:
            self.add_error(
                "photos",
                f"Choose between {minimum} and {maximum} photos; you chose {len(files)}.",
            )
            return files
        inspected = self._inspected(files)
        if inspected is None or self.errors:
            return files
        clean, errors, seen = [], [], {}
        with photos.preparing():
            deadline = time.monotonic() + PREPARE_SECONDS
            for upload, header in zip(files, inspected, strict=True):
                if time.monotonic() >= deadline:
                    self.add_error(
                        "photos",
                        "The portal is too busy to prepare so many photos right now. "
                        "Please try again in a moment, or with fewer or smaller photos.",
                    )
                    return files
                try:
                    photo = photos.sanitise(upload, upload.name, header)
                except photos.PhotoError as exc:
                    errors.extend(exc.messages)
                    continue
                if photo.sha256 in seen:
                    errors.append(f"{upload.name} is the same picture as {seen[photo.sha256]}.")
                    continue
                seen[photo.sha256] = upload.name
                clean.append(photo)
        for error in errors:
            self.add_error("photos", error)
        return clean

    def _inspected(self, files):
        """Each photo's header and structure, or None with the errors added: no photo
        that is refused, repeated or over the pixel budget is decoded."""
        inspected, errors, seen = [], [], {}
        for upload in files:
            try:
                header = photos.inspect(upload, upload.name)
            except photos.PhotoError as exc:
                errors.extend(exc.messages)
                continue
            if header.digest in seen:
                errors.append(f"{upload.name} is the same picture as {seen[header.digest]}.")
                continue
            seen[header.digest] = upload.name
            inspected.append(header)
        budget = settings.TUNE_MAX_DECODED_PIXELS
        total = sum(header.decoded_pixels for header in inspected)
        if not errors and budget and total > budget:
            errors.append(
                f"These photos are too large to prepare together: {total / 1_000_000:.0f} "
                f"megapixels to decode, and one fine-tune can take {budget / 1_000_000:g}. "
                "Choose fewer or smaller photos."
            )
        for error in errors:
            self.add_error("photos", error)
        return None if errors else inspected
