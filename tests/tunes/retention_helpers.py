"""Tunes with everything a purge must remove: photos, prompts, images and thumbnails."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from astria_portal.models import CallbackReceipt
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue
from tunes import tasks
from tunes.models import Tune


def add_prompt(tune, text="a portrait of ohwx woman in a garden", images=2):
    prompt = Prompt.objects.create(
        tune=tune,
        text=text,
        num_images=images,
        status=Prompt.Status.DONE,
        remote_id=(tune.remote_id or 0) * 10 + tune.prompts.count() + 1,
        remote_tune_id=tune.remote_id,
    )
    for position in range(images):
        image = GeneratedImage(
            prompt=prompt, position=position, remote_url="https://example.com/x.png"
        )
        image.file.save("image.png", ContentFile(b"\x89PNG image bytes"), save=False)
        image.thumbnail.save("thumb.jpg", ContentFile(b"\xff\xd8 thumbnail"), save=False)
        image.save()
    CallbackReceipt.objects.create(
        kind="prompt", object_code=prompt.code, body_sha256="1" * 64, verdict="refresh"
    )
    return prompt


def trained_on_emulator(make_tune, emulator, prompts=1, **fields):
    """A tune trained on the emulator now, with prompts whose images are stored here."""
    tune = make_tune(**fields)
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    emulator.tune(tune.remote_id, "finish")
    tasks.refresh_tune(tune.pk)
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    CallbackReceipt.objects.create(
        kind="tune", object_code=tune.code, body_sha256="0" * 64, verdict="refresh"
    )
    for number in range(prompts):
        add_prompt(tune, text=f"prompt {number} of {tune.name}")
    return tune


def media_files():
    """Every file under MEDIA_ROOT, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(
        str(Path(folder, name).relative_to(root))
        for folder, _, names in os.walk(root)
        for name in names
    )


def media_paths():
    """Every file and folder under MEDIA_ROOT, relative to it."""
    root = Path(settings.MEDIA_ROOT)
    found = []
    for folder, folders, names in os.walk(root):
        found += [str(Path(folder, name).relative_to(root)) for name in folders + names]
    return sorted(found)
