"""Curated starting points for a prompt, offered as one-click fills on the tune page."""

from django.utils.text import slugify

PRESETS = [
    (
        "Corporate headshot",
        "a corporate headshot of a {class_name} in a navy suit, soft studio light, "
        "neutral grey background, shallow depth of field",
    ),
    (
        "Studio portrait",
        "a studio portrait of a {class_name}, dramatic rim light, dark background, "
        "85mm lens, sharp focus on the eyes",
    ),
    (
        "Outdoor portrait",
        "an outdoor portrait of a {class_name} in a park at golden hour, warm backlight, "
        "blurred green trees behind",
    ),
    (
        "Casual lifestyle",
        "a candid photo of a {class_name} laughing in a sunny café, casual clothes, "
        "natural window light, film grain",
    ),
    (
        "Black and white",
        "a black and white portrait of a {class_name}, high contrast, classic film look, "
        "soft window light",
    ),
]


def presets_for(tune):
    """The presets written out for a tune's subject: (slug, label, text) triples."""
    return [
        (slugify(label), label, text.format(class_name=tune.class_name)) for label, text in PRESETS
    ]
