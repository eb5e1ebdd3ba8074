"""The tune page's prompt cards: a settled card is rendered once per process and kept.

A card's key (astria_portal/fragments.py) is a digest of everything it shows: every
field of the prompt, the number of its images and the sum of their versions (every
change of an image row adds one to its version, so a download, a favourite, an image
gone all change it, and the images themselves are read only for cards not kept),
whether the tune still takes prompts, the card's templates and the expiry of its signed
links.
"""

import time
import uuid

from django.db import connection
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse

from astria_portal import fragments, serving

TEMPLATE = "prompts/_prompt_card.html"
TEMPLATES = (TEMPLATE, "prompts/_badge.html", "prompts/_settings.html", "gallery/_favourite.html")


def image_pages():
    """The image pages' path without the code: cards add it, no reverse() per image."""
    zero = uuid.UUID(int=0)
    return reverse("prompts:image", args=[zero]).removesuffix(f"{zero}/")


def card_context(prompt, tune, can_prompt):
    return {"prompt": prompt, "tune": tune, "can_prompt": can_prompt, "image_pages": image_pages()}


def _fields(instance):
    return [str(getattr(instance, field.attname)) for field in instance._meta.concrete_fields]


# The state of a page of prompts' images in one plain SELECT: built by the ORM, the
# same aggregate took longer to put together than to run (bench.pages).
STATES_SQL = (
    "SELECT prompt_id, COUNT(*), SUM(version) FROM prompts_generatedimage "
    "WHERE prompt_id IN ({prompts}) GROUP BY prompt_id"
)


def image_states(prompts):
    """Prompt id -> (the number of its images, the sum of their versions), one query."""
    ids = [prompt.pk for prompt in prompts]
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(STATES_SQL.format(prompts=", ".join(["%s"] * len(ids))), ids)
        return {prompt_id: (count, versions) for prompt_id, count, versions in cursor}


def card_key(prompt, images, can_prompt, expires):
    """images: the state of the prompt's images, as image_states reads it."""
    return fragments.key("prompt-card", TEMPLATES, (_fields(prompt), images, can_prompt, expires))


def render_cards(request, prompts, tune, can_prompt):
    """The cards' HTML: one query for the images' state, the kept cards from memory;
    the images of cards not kept are read, and settled ones kept."""
    expires = serving.expiry()
    prompts = list(prompts)
    states = image_states(prompts)
    keys = {p.pk: card_key(p, states.get(p.pk), can_prompt, expires) for p in prompts}
    kept = fragments.cache()
    found = kept.get_many(keys.values()) if keys else {}
    missing = [prompt for prompt in prompts if keys[prompt.pk] not in found]
    prefetch_related_objects(missing, "images")
    context = {**card_context(None, tune, can_prompt), "csrf_token": fragments.CSRF_MARK}
    new, html = {}, []
    for prompt in prompts:
        card = found.get(keys[prompt.pk])
        if card is None:
            card = render_to_string(TEMPLATE, {**context, "prompt": prompt})
            if prompt.is_settled:
                new[keys[prompt.pk]] = card
        html.append(card)
    if new:
        kept.set_many(new, timeout=max(1, expires - int(time.time())))
    return fragments.with_token(request, "".join(html))
