"""Refresh the packs from Astria: GET /packs, GET /gallery/packs, then GET /p/:id each.

Run as a task from the admin. A pack Astria stops listing is marked missing (and
so no longer offered), never deleted: orders point at it. Covers are downloaded
from Astria's media host and kept, as generated images are.
"""

import logging
import math

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from astria_portal import astria
from astria_portal.astria import media
from packs.models import Pack
from prompts.pictures import PictureError, inspect

log = logging.getLogger(__name__)


def refresh():
    client = astria.get_client()
    listed = {}
    for source, gallery in ((Pack.Source.OWN, False), (Pack.Source.GALLERY, True)):
        for summary in client.list_packs(gallery=gallery):
            listed.setdefault(summary.id, (summary, source))
    now = timezone.now()
    for pack_id, (summary, source) in listed.items():
        try:
            detail = client.get_pack(pack_id)
        except astria.AstriaError as exc:
            log.warning("Pack %s: no detail from Astria (%s); keeping the summary", pack_id, exc)
            detail = summary
        pack = _store(detail, summary, source, now)
        _keep_cover(pack)
    gone = Pack.objects.exclude(remote_id__in=list(listed)).filter(missing_since=None)
    missing = gone.update(missing_since=now)
    return f"{len(listed)} packs, {missing} no longer listed"


def _store(detail, summary, source, now):
    classes = {}
    for name in detail.class_names or summary.class_names:
        prompts = detail.prompt_count(name) or 0
        images = detail.num_images(name) or prompts
        classes[name] = {"prompts": prompts, "images": images}
    prompt_count = max((c["prompts"] for c in classes.values()), default=0)
    images = max((c["images"] for c in classes.values()), default=0)
    pack, _ = Pack.objects.update_or_create(
        remote_id=detail.id,
        defaults={
            "slug": (detail.slug or summary.slug)[:200],
            "title": (detail.title or summary.title)[:200],
            "source": source,
            "model_type": (detail.model_type or summary.model_type or "")[:20],
            "cover_url": (detail.cover_url or summary.cover_url or "")[:2000],
            "classes": classes,
            "prompt_count": prompt_count,
            "images_per_prompt": max(1, math.ceil(images / prompt_count)) if prompt_count else 1,
            "refreshed_at": now,
            "missing_since": None,
        },
    )
    return pack


def _keep_cover(pack):
    """Download the cover once per URL; a failure leaves the pack without one."""
    if not pack.cover_url or (pack.cover and pack.cover_url == pack.cover_source):
        return
    try:
        content, _ = media.download(
            pack.cover_url,
            hosts=settings.ASTRIA_MEDIA_HOSTS,
            max_bytes=settings.IMAGE_MAX_BYTES,
            timeout=settings.IMAGE_DOWNLOAD_TIMEOUT,
        )
        picture = inspect(content)
    except (media.DownloadRefused, media.DownloadFailed, PictureError) as exc:
        log.warning("Pack %s: cover not kept: %s", pack.remote_id, exc)
        return
    if pack.cover:
        pack.cover.delete(save=False)
    extension = picture.content_type.split("/")[1].replace("jpeg", "jpg")
    pack.cover.save(f"cover.{extension}", ContentFile(content), save=False)
    Pack.objects.filter(pk=pack.pk).update(cover=pack.cover.name, cover_source=pack.cover_url)
