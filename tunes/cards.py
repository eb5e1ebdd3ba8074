"""The tune list's cards, rendered once per process and kept (astria_portal/fragments.py).

A card's key holds every field of the tune, its image count and cover (the signed link
carries its own expiry), whether its test-mode badge is shown, and the countdown in the
words it is shown in, which is what changes with time alone.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from astria_portal import fragments

TEMPLATE = "tunes/_tune_card.html"
TEMPLATES = (TEMPLATE, "tunes/_badge.html")
KEPT_SECONDS = 3600


def _state(tune, test_badge):
    storage = tune.storage
    fields = [getattr(tune, field.attname) for field in tune._meta.concrete_fields]
    countdown = (storage.band, storage.label, storage.left, storage.ends_at)
    return (fields, tune.image_count, tune.cover_link, test_badge, countdown)


def render_cards(tunes, test_badge):
    """The cards' HTML, the kept ones from memory."""
    kept = fragments.cache()
    keys = [fragments.key("tune-card", TEMPLATES, _state(tune, test_badge)) for tune in tunes]
    found = kept.get_many(keys)
    template = get_template(TEMPLATE)
    new, html = {}, []
    for tune, key in zip(tunes, keys, strict=True):
        card = found.get(key)
        if card is None:
            card = new[key] = template.render({"tune": tune, "test_badge": test_badge})
        html.append(card)
    if new:
        kept.set_many(new, timeout=KEPT_SECONDS)
    return mark_safe("".join(html))  # noqa: S308 (rendered by the template engine)
