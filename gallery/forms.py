import uuid

from django import forms

from tunes.models import Tune


class FilterForm(forms.Form):
    """The gallery's filters, read from the query string."""

    tune = forms.ModelChoiceField(
        queryset=Tune.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="All fine-tunes",
        label="Fine-tune",
    )
    favourites = forms.BooleanField(required=False, label="Favourites only")
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, tunes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tune"].queryset = tunes

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        return cleaned

    def filter(self, images):
        """The images that pass the filters; the valid ones only, if some are not."""
        data = getattr(self, "cleaned_data", {})
        if data.get("tune"):
            images = images.filter(prompt__tune=data["tune"])
        if data.get("favourites"):
            images = images.filter(favourite_at__isnull=False)
        if data.get("since"):
            images = images.filter(prompt__created_at__date__gte=data["since"])
        if data.get("until") and "until" not in self.errors:
            images = images.filter(prompt__created_at__date__lte=data["until"])
        return images


class FavouriteForm(forms.Form):
    image = forms.UUIDField(
        error_messages={"required": "Say which image.", "invalid": "No such image."}
    )
    favourite = forms.TypedChoiceField(
        choices=[("1", "Mark"), ("0", "Unmark")], coerce=lambda value: value == "1"
    )


# One request's selection: a few pages' worth of ticks.
MAX_SELECTION = 500


class ImagesField(forms.Field):
    """Image codes ticked in the gallery (checkboxes named "image")."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        codes = []
        for item in value or []:
            try:
                codes.append(uuid.UUID(str(item)))
            except ValueError:
                raise forms.ValidationError("One of the chosen images does not exist.") from None
        return codes

    def validate(self, value):
        if not value:
            raise forms.ValidationError("Tick the images to download first.")
        if len(value) > MAX_SELECTION:
            raise forms.ValidationError(
                f"Choose at most {MAX_SELECTION} images for one ZIP file; you chose {len(value)}."
            )


class SelectionForm(forms.Form):
    image = ImagesField()
