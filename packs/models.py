"""Astria packs the portal offers, and the runs of a pack on a user's fine-tune.

A pack is a set of prompts kept on Astria (astria-docs docs/api/2-pack/). Staff
choose which packs users see, under what name, and how many images of the
allowance one takes. A run (``PackOrder``) charges that once, with the tune; the
pack's prompts, which Astria creates, are adopted one by one as they are found
(``PackPrompt`` is unique on Astria's prompt id, so a callback and a poll racing
adopt a prompt once).
"""

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone

from prompts.models import Prompt
from tunes.models import Tune

# What each Astria model type of a pack becomes among the portal's model choices.
MODEL_KINDS = {"lora": "flux-lora", "faceid": "faceid", None: "sd15"}


def cover_path(pack, filename):
    return f"packs/{pack.remote_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class Pack(models.Model):
    class Source(models.TextChoices):
        OWN = "own", "Own"
        GALLERY = "gallery", "Gallery"

    remote_id = models.BigIntegerField("Astria id", unique=True, help_text="Astria's pack id.")
    slug = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True, help_text="Astria's title.")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.OWN)
    model_type = models.CharField(max_length=20, blank=True)
    cover_url = models.URLField(max_length=2000, blank=True, help_text="Where Astria serves it.")
    cover = models.FileField(upload_to=cover_path, blank=True)
    cover_source = models.URLField(max_length=2000, blank=True, help_text="The URL it came from.")
    classes = models.JSONField(
        default=dict, blank=True, help_text="Per class: prompts and images, from GET /p/:id."
    )
    prompt_count = models.PositiveIntegerField(default=0)
    images_per_prompt = models.PositiveIntegerField(default=1)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    missing_since = models.DateTimeField(
        null=True, blank=True, help_text="No longer listed by Astria."
    )
    # Staff's choices
    enabled = models.BooleanField(default=False, help_text="Users can pick it.")
    name = models.CharField(max_length=80, blank=True, help_text="Shown to users; else the title.")
    description = models.TextField(max_length=1000, blank=True)
    images_cost = models.PositiveIntegerField(
        "images it takes",
        null=True,
        blank=True,
        help_text="Images of the allowance it takes; empty: prompts × images.",
    )

    class Meta:
        ordering = ["-enabled", "title"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("packs:create", args=[self.remote_id])

    @property
    def display_name(self):
        return self.name or self.title or self.slug or f"Pack {self.remote_id}"

    @property
    def default_cost(self):
        return self.prompt_count * self.images_per_prompt

    @property
    def cost(self):
        return self.default_cost if self.images_cost is None else self.images_cost

    @property
    def class_names(self):
        return list(self.classes)

    @property
    def model_kind(self):
        return MODEL_KINDS.get(self.model_type or None, "sd15")

    @property
    def is_offered(self):
        return self.enabled and self.missing_since is None and bool(self.classes)

    def expected_prompts(self, class_name):
        return int((self.classes.get(class_name) or {}).get("prompts") or 0)


class PackOrder(models.Model):
    """A pack run on a tune: created with a new tune, or on one already trained."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the fine-tune"
        SENDING = "sending", "Sending to Astria"
        RUNNING = "running", "Making images"
        DONE = "done", "All found"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tune = models.ForeignKey(Tune, on_delete=models.CASCADE, related_name="pack_orders")
    pack = models.ForeignKey(Pack, on_delete=models.PROTECT, related_name="orders")
    with_tune = models.BooleanField(
        default=True, help_text="Created with the tune (POST /p/:id/tunes with its photos)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    images_charged = models.PositiveIntegerField(default=0)
    expected_prompts = models.PositiveIntegerField(default=0)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checks = models.PositiveSmallIntegerField(default=0)
    discover_waiting_since = models.DateTimeField(
        null=True, blank=True, help_text="A discovery task is queued: callbacks add no other."
    )
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.pack} on {self.tune}"

    @property
    def found(self):
        return self.pack_prompts.count()


class PackPrompt(models.Model):
    """One prompt Astria made for a pack run, adopted once (unique on its id)."""

    remote_id = models.BigIntegerField(unique=True, help_text="Astria's prompt id.")
    order = models.ForeignKey(PackOrder, on_delete=models.CASCADE, related_name="pack_prompts")
    prompt = models.OneToOneField(Prompt, on_delete=models.CASCADE, related_name="pack_prompt")
    adopted_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Prompt {self.remote_id} of {self.order}"
