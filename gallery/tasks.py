"""Background work for favourites: each task takes a primary key and is safe to run twice."""

import logging

from django.utils import timezone

from astria_portal import astria
from prompts.models import Prompt

log = logging.getLogger(__name__)


def like_prompt(prompt_id):
    """Send a like to Astria for a prompt with a favourite image, once.

    The local mark never waits on this: a failure is logged and the prompt stays
    unliked on Astria, to be sent again when one of its images is next marked.
    """
    prompt = Prompt.objects.filter(pk=prompt_id).first()
    if prompt is None or prompt.remote_id is None:
        return "no remote prompt"
    if prompt.liked_on_astria_at is not None:
        return "already liked"
    if not prompt.images.filter(favourite_at__isnull=False).exists():
        return "no favourite"
    try:
        with astria.get_client() as client:
            client.like_prompt(prompt.remote_id)
    except astria.AstriaError as exc:
        log.warning("Could not like prompt %s on Astria: %s", prompt.remote_id, exc)
        return "failed"
    Prompt.objects.filter(pk=prompt_id, liked_on_astria_at__isnull=True).update(
        liked_on_astria_at=timezone.now()
    )
    return "liked"
