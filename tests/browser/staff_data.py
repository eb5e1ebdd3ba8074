"""Rows for the staff pages' layout tests, written straight into the stack's database.

Run inside the stack (``manage.py shell -c``): a trained fine-tune with real photos,
prompts with long texts and stored images, fine-tunes in every retention band and
deletion records of every model, as a busy week leaves them.
"""

import uuid
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from drills.portal import photo
from prompts.models import GeneratedImage, Prompt
from tunes.models import DeletionReason, DeletionRecord, TrainingImage, Tune

LONG = (
    "a professional corporate headshot of ohwx woman in a navy blazer, soft studio "
    "lighting, shallow depth of field, neutral grey background, 85 mm lens"
)


def seed(prefix="Staff"):
    now = timezone.now()
    owner = User.objects.create_user(
        f"{prefix.lower()}-owner-with-a-long-name", f"{prefix.lower()}.owner@example.com"
    )
    main = Tune.objects.create(
        owner=owner, name=f"{prefix} studio portraits of Margarethe", class_name="woman",
        model_kind="flux-lora", status="trained", remote_id=9_100_001,
        trained_at=now - timedelta(days=2), expires_at=now + timedelta(days=28),
    )  # fmt: skip
    for position in range(6):
        TrainingImage.objects.create(
            tune=main, position=position, width=640, height=800, size=48_213,
            sha256=f"{position:064x}", file=ContentFile(photo(position), name="p.jpg"),
        )  # fmt: skip
    for n in range(4):
        prompt = Prompt.objects.create(
            tune=main, text=f"{LONG}, variation {n}", num_images=2, status="done",
            remote_id=9_200_000 + n, remote_tune_id=main.remote_id,
            sent_text=LONG, finished_at=now - timedelta(hours=n),
        )  # fmt: skip
        for position in range(2):
            image = GeneratedImage(
                prompt=prompt, position=position, remote_url="https://example.com/x.jpg",
                content_type="image/jpeg", width=640, height=800, size=91_000,
                downloaded_at=now,
            )  # fmt: skip
            image.file.save("image.jpg", ContentFile(photo(10 + position)), save=False)
            image.thumbnail.save("thumb.jpg", ContentFile(photo(10 + position)), save=False)
            image.save()
    bands = [("soon", 29.5), ("this week", 25), ("later", 10), ("fresh", 0.2)]
    for label, age in bands:
        trained = now - timedelta(days=age)
        Tune.objects.create(
            owner=owner, name=f"{prefix} {label}", class_name="man", model_kind="sd15",
            status="trained", remote_id=9_100_100 + int(age * 10), trained_at=trained,
            expires_at=trained + timedelta(days=30),
        )  # fmt: skip
    Tune.objects.create(
        owner=owner, name=f"{prefix} extended", class_name="dog", model_kind="faceid",
        status="trained", remote_id=9_100_900, trained_at=now - timedelta(days=50),
        expires_at=now + timedelta(days=10), auto_extend=True,
    )  # fmt: skip
    for n, kind in enumerate(["sd15", "flux-lora", "faceid"]):
        DeletionRecord.objects.create(
            tune_code=uuid.uuid4(), remote_id=9_300_000 + n,
            model_kind=kind, test_mode=n == 0, photos=12, prompts=7, images=28,
            reason=list(DeletionReason)[n], trained_at=now - timedelta(days=31 + n),
        )  # fmt: skip
    return main
