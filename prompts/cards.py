"""The tune page's prompt cards: a settled card is rendered once and kept in the cache.

A card's cache key is a digest of everything it shows: every field of the prompt and
of each of its images (a new status, a download, a favourite, an image gone all change
it), whether the tune still takes prompts, the time zone, the card's templates and the
expiry of its signed links. The CSRF token is put in afterwards, so that a card from
the cache carries the token of the request it is shown in.
"""

import functools
import hashlib
import time
import uuid

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from astria_portal import serving
from prompts.models import GeneratedImage

TEMPLATE = "prompts/_prompt_card.html"
INCLUDED = ("prompts/_badge.html", "prompts/_settings.html", "gallery/_favourite.html")
CSRF_MARK = "csrf-token-of-the-request"


def image_pages():
    """The image pages' path without the code: cards add it, no reverse() per image."""
    zero = uuid.UUID(int=0)
    return reverse("prompts:image", args=[zero]).removesuffix(f"{zero}/")


def card_context(prompt, tune, can_prompt):
    return {"prompt": prompt, "tune": tune, "can_prompt": can_prompt, "image_pages": image_pages()}


@functools.cache
def _templates():
    """A digest of the card's templates, so a new release never shows old cards."""
    sources = [get_template(name).template.source for name in (TEMPLATE, *INCLUDED)]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()[:16]


def _fields(instance):
    return [str(getattr(instance, field.attname)) for field in instance._meta.concrete_fields]


def _image_states(prompts):
    """Prompt id -> every field of each of its images, read in one query as plain values
    (no model instances: most cards come from the cache and need none)."""
    names = [field.attname for field in GeneratedImage._meta.concrete_fields]
    rows = GeneratedImage.objects.filter(prompt__in=prompts).order_by("prompt_id", "position")
    states = {}
    for row in rows.values_list(*names):
        states.setdefault(row[names.index("prompt_id")], []).append([str(value) for value in row])
    return states


def card_key(prompt, images, can_prompt, expires):
    """images: the prompt's images' fields, as _image_states reads them."""
    state = (
        _fields(prompt),
        images,
        can_prompt,
        expires,
        timezone.get_current_timezone_name(),
        _templates(),
    )
    return "prompt-card:" + hashlib.sha256(repr(state).encode()).hexdigest()


def render_cards(request, prompts, tune, can_prompt):
    """The cards' HTML: one query for the images' state and one cache read for the
    page; the images of cards not in the cache are read, and settled ones kept."""
    expires = serving.expiry()
    prompts = list(prompts)
    states = _image_states(prompts) if prompts else {}
    keys = {p.pk: card_key(p, states.get(p.pk, []), can_prompt, expires) for p in prompts}
    found = cache.get_many(keys.values()) if keys else {}
    missing = [prompt for prompt in prompts if keys[prompt.pk] not in found]
    prefetch_related_objects(missing, "images")
    context = {**card_context(None, tune, can_prompt), "csrf_token": CSRF_MARK}
    new, html = {}, []
    for prompt in prompts:
        card = found.get(keys[prompt.pk])
        if card is None:
            card = render_to_string(TEMPLATE, {**context, "prompt": prompt})
            if prompt.is_settled:
                new[keys[prompt.pk]] = card
        html.append(card)
    if new:
        cache.set_many(new, timeout=max(1, expires - int(time.time())))
    return mark_safe("".join(html).replace(CSRF_MARK, get_token(request)))  # noqa: S308
