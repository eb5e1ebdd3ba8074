import contextlib
import os
import uuid
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from astria_portal import astria, costs, oneline, quota, serving
from astria_portal.models import CallbackReceipt, RemoteJob
from tunes.countdown import EXPIRED, countdown
from tunes.photos import CleanPhoto

# How far back the newest tunes are searched for a title after an ambiguous create.
LOOKUP_DEPTH = 200

# What each model choice sends to Astria (ASTRIA_API.md §3.1, §3.2).
MODELS = {
    "flux-lora": {
        "label": "Flux LoRA: best likeness",
        "base_tune_id": 1504944,
        "model_type": "lora",
        "branch": "flux1",
        "token": "ohwx",
    },
    "sd15": {
        "label": "SD 1.5 checkpoint: classic, fast to generate",
        "base_tune_id": 690204,
        "model_type": None,
        "branch": "sd15",
        "token": "sks",
    },
    "faceid": {
        "label": "FaceID: ready at once, from a single photo",
        "base_tune_id": 690204,
        "model_type": "faceid",
        "branch": "sd15",
        "token": "ohwx",
    },
}


# Astria's Flux LoRA training presets (astria-docs docs/use-cases/05-flux-finetuning.md);
# empty sends none, which Astria trains as its "high" preset.
PRESETS = [
    ("flux-lora-portrait", "Portrait: recommended for people, products, most things"),
    ("flux-lora-focus", "Focus: balances faces, products and styles"),
    ("flux-lora-fast", "Fast: the older, quicker preset"),
    ("", "High: many steps, for art styles or 20+ photos"),
]


class DeletionReason(models.TextChoices):
    USER = "user", "Deleted by its owner"
    STAFF = "staff", "Deleted by staff"
    RETENTION = "retention", "Retention period over"


def training_photo_path(photo, filename):
    # A random name: the user's file name never reaches a path.
    return f"tunes/{photo.tune.code}/{uuid.uuid4().hex}.jpg"


class Tune(RemoteJob):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SUBMITTING = "submitting", "Sending to Astria"
        TRAINING = "training", "Training"
        STALLED = "stalled", "Overdue"
        TRAINED = "trained", "Trained"
        FAILED = "failed", "Failed"
        DELETING = "deleting", "Being deleted"
        EXPIRED = "expired", "Expired"
        DELETED = "deleted", "Deleted"

    # Statuses only move forward: a transition to X is allowed from ranks below X's.
    RANK = {
        "pending": 0,
        "submitting": 1,
        "training": 2,
        "stalled": 3,
        "trained": 4,
        "failed": 4,
        "deleting": 5,
        "expired": 6,
        "deleted": 6,
    }
    IN_FLIGHT = (Status.TRAINING, Status.STALLED)
    AWAITING = (Status.PENDING, Status.SUBMITTING, *IN_FLIGHT)
    GONE = (Status.EXPIRED, Status.DELETED)
    CLOSED = (Status.DELETING, *GONE)
    ADOPTED = Status.TRAINING
    KIND = "tune"
    SUBMIT_TASK = "tunes.tasks.submit_tune"
    REFRESH_TASK = "tunes.tasks.refresh_tune"
    DELETE_TASK = "tunes.tasks.delete_tune"
    GONE_MESSAGE = "Astria no longer has this fine-tune."
    GAVE_UP_MESSAGE = (
        "Astria did not finish training it, long after the time it gave, and reported no "
        "error. It is back in your monthly allowance: train again with the same photos, "
        "or delete it."
    )

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=80, help_text="The user's name for this fine-tune.")
    title = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Astria idempotency key."
    )
    class_name = models.CharField(max_length=40)
    model_kind = models.CharField(
        max_length=16, choices=[(k, v["label"]) for k, v in MODELS.items()]
    )
    token = models.CharField(max_length=20, blank=True)
    steps = models.PositiveSmallIntegerField(null=True, blank=True)
    face_crop = models.BooleanField(null=True, blank=True)
    preset = models.CharField(
        max_length=24, choices=PRESETS, blank=True, help_text="Flux LoRA training preset."
    )
    test_mode = models.BooleanField(default=False, help_text="branch=fast: free mock training.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    eta = models.DateTimeField(null=True, blank=True)
    started_training_at = models.DateTimeField(null=True, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Astria's deletion date.")
    auto_extend = models.BooleanField(default=False, help_text="Storage extended on Astria (paid).")
    retention_warned_at = models.DateTimeField(
        null=True, blank=True, help_text="Owner e-mailed about the deletion."
    )
    deletion_reason = models.CharField(max_length=16, choices=DeletionReason.choices, blank=True)
    astria_cost_mc = models.PositiveIntegerField(
        null=True, blank=True, help_text="What Astria charged, in millicents (100,000 = $1)."
    )
    astria_cost_estimated = models.BooleanField(
        default=False, help_text="From the price list: Astria's answer named no cost."
    )
    characteristics = models.JSONField(
        default=dict, blank=True, help_text="From photo inspection; sent as tune[characteristics]."
    )
    pack_remote_id = models.BigIntegerField(
        null=True, blank=True, help_text="Created from this Astria pack (POST /p/:id/tunes)."
    )
    pack_images = models.PositiveIntegerField(
        default=0, help_text="Images of the allowance charged for the pack, with the tune."
    )

    class Meta:
        verbose_name = "fine-tune"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tunes:detail", args=[self.code])

    def clean(self):
        self.name = oneline.collapse(self.name)
        try:
            oneline.validate(self.name)
        except ValidationError as exc:
            raise ValidationError({"name": exc.messages}) from None

    @property
    def spec(self):
        return MODELS[self.model_kind]

    @property
    def branch(self):
        return "fast" if self.test_mode else self.spec["branch"]

    @property
    def trigger_token(self):
        return self.token or self.spec["token"]

    @property
    def uses_adapter_tag(self):
        """Prompted through a ``<lora:ID:1>``/``<faceid:ID:1>`` tag on a shared base tune.

        Not in test mode: Astria's docs say prompts on a ``branch=fast`` tune are free,
        and say nothing of prompts on a base tune naming one, so a test-mode tune is
        always prompted at its own id (docs/astria.md, "Test mode").
        """
        return self.spec["model_type"] in ("lora", "faceid") and not self.test_mode

    @property
    def prompt_target_id(self):
        """The Astria tune its prompts are posted to: the base tune for adapter models."""
        return self.spec["base_tune_id"] if self.uses_adapter_tag else self.remote_id

    @property
    def is_finished(self):
        return self.status in (self.Status.TRAINED, self.Status.FAILED)

    @property
    def retention_start(self):
        """When the retention clock started: training ended, or the tune failed.

        None while the tune is still on its way (tunes/retention.py mirrors this in SQL).
        """
        if self.trained_at is not None:
            return self.trained_at
        if self.status in self.AWAITING:
            return None
        return self.last_error_at or self.created_at

    @property
    def retention_ends_at(self):
        """When the tune's data must be gone: the portal's policy, or Astria's own
        expiry for a tune whose storage was extended there."""
        if self.auto_extend:
            return self.expires_at
        start = self.retention_start
        if start is None:
            return None
        return start + timedelta(days=settings.RETENTION_DAYS)

    @property
    def storage(self):
        """The countdown to retention_ends_at, for pages and the admin."""
        return countdown(self)

    @property
    def model_name(self):
        """The model's short name for pages: "Flux LoRA", without the form's pitch."""
        return self.spec["label"].split(":")[0]

    @property
    def past_retention(self):
        """Its storage period is over: its data is gone, or goes at the next sweep."""
        return self.storage.band == EXPIRED

    def forget(self):
        """Take an expired tune, of which nothing is left, off its owner's list."""
        return self._cas([self.Status.EXPIRED], status=self.Status.DELETED)

    @property
    def progress(self):
        """Percent of the expected training time that has passed, while training."""
        if self.status != self.Status.TRAINING or not (self.eta and self.started_training_at):
            return None
        total = (self.eta - self.started_training_at).total_seconds()
        done = (timezone.now() - self.started_training_at).total_seconds()
        if total <= 0:
            return 99
        return max(1, min(99, round(100 * done / total)))

    @property
    def can_train_again(self):
        # A pack's run is started from the pack's page; "train again" has no pack.
        failed = self.status == self.Status.FAILED and self.pack_remote_id is None
        return failed and self.photos.exists()

    def copy(self):
        """An unsaved tune with the same owner, name and choices, for "train again"."""
        fields = [
            "owner", "name", "class_name", "model_kind", "token", "steps", "face_crop", "preset",
        ]  # fmt: skip
        fields += ["characteristics"]  # a pack tune is started again from its pack
        return Tune(test_mode=self.test_mode, **{name: getattr(self, name) for name in fields})

    def kept_photos(self):
        """The stored training photos, as the upload form gives them, to train again."""
        kept = []
        for photo in self.photos.all():
            with photo.file.open("rb") as f:
                content = f.read()
            kept.append(CleanPhoto(content, photo.width, photo.height, photo.sha256, ""))
        return kept

    def astria_fields(self):
        """The options sent to Astria, the same on every attempt."""
        fields = {
            "title": str(self.title),
            "name": self.class_name,
            "branch": self.branch,
            "base_tune_id": self.spec["base_tune_id"],
            "model_type": self.spec["model_type"],
            "token": self.trigger_token,
            "steps": self.steps,
            "face_crop": self.face_crop,
            # A training preset is a Flux LoRA option only.
            "preset": (self.preset or None) if self.model_kind == "flux-lora" else None,
            "characteristics": self.characteristics or None,
        }
        return {key: value for key, value in fields.items() if value is not None}

    # Transitions

    def submit(self):
        """Make the tune due and enqueue its submission, in the caller's transaction."""
        self.next_attempt_at = timezone.now()
        self.save(update_fields=["next_attempt_at", "updated_at"])
        async_task("tunes.tasks.submit_tune", self.pk)

    def fetch_remote(self, client):
        return client.get_tune(self.remote_id)

    def apply_remote(self, remote):
        """Apply the state Astria reports; never moves backwards. Returns True on a change."""
        costs.record(self, remote)
        times = {
            "eta": remote.eta,
            "started_training_at": remote.started_training_at,
            "trained_at": remote.trained_at,
            "expires_at": remote.expires_at,
        }
        times = {name: value for name, value in times.items() if value is not None}
        if remote.is_trained:
            changed = self._finish(self.Status.TRAINED, next_check_at=None, **times)
            if not changed and remote.expires_at:
                # Extended storage moves Astria's expiry date.
                self._cas([self.Status.TRAINED], expires_at=remote.expires_at)
            return changed
        if remote.is_failed:
            return self.mark_failed(remote.failure, **times)
        if times:
            type(self).objects.filter(pk=self.pk, status__in=self.IN_FLIGHT).update(**times)
        return False

    def adopted(self):
        # Prompts written before the tune reached Astria can be posted now.
        waiting = self.prompts.filter(status=self.PENDING)
        waiting.update(next_attempt_at=timezone.now())
        for pk in waiting.values_list("pk", flat=True):
            async_task("prompts.tasks.submit_prompt", pk)

    def finished(self, status):
        if status == self.Status.FAILED:
            # A pack's images were charged with the tune; none will be made now.
            quota.give_back(
                self.owner_id, self.created_at, tunes=1, images=self.pack_images, item=self
            )
        if (
            type(self)
            .objects.filter(pk=self.pk, notified_at__isnull=True)
            .update(notified_at=timezone.now())
        ):
            async_task("tunes.tasks.notify_owner", self.pk)

    def resubmitted(self):
        # The failure gave the owner's tune back; this attempt takes it again.
        quota.charge(
            self.owner_id, tunes=1, images=self.pack_images, now=self.created_at, item=self
        )

    def mark_stalled(self):
        return self._forward(self.Status.STALLED)

    def price_list_mc(self):
        return costs.tune_price_mc(self.test_mode)

    def expected_end(self):
        return self.eta or super().expected_end()

    def give_up_after(self):
        return settings.TUNE_GIVE_UP_AFTER

    def mark_deleting(self, reason=DeletionReason.USER, enqueue=True):
        return super().mark_deleting(enqueue=enqueue, deletion_reason=reason)

    def delete_after(self, now):
        # Prompts being posted must end too, so that their remote ids are known.
        leases = self.prompts.filter(status=self.SUBMITTING).values_list(
            "next_attempt_at", flat=True
        )
        return max([super().delete_after(now), *[lease for lease in leases if lease]])

    def find_remote(self, client):
        """The tune on Astria with our title, if a create we lost the answer to made one."""
        title = str(self.title)
        for remote in islice(client.iter_tunes(page_size=100), LOOKUP_DEPTH):
            if remote.title == title:
                return remote
        return None

    def delete_remote(self, client, remote_id):
        # LoRA and FaceID prompts live on a shared base tune: deleting the tune
        # leaves them there, so they are deleted one by one first.
        for prompt in self.prompts.exclude(remote_id=None).exclude(remote_tune_id=remote_id):
            with contextlib.suppress(astria.NotFound):
                client.delete_prompt(prompt.remote_id, tune_id=prompt.remote_tune_id)
        client.delete_tune(remote_id)

    def delete_local(self):
        """Remove everything of the tune here and leave a record without personal data.

        The end state is "expired" when the retention period ran out, else "deleted".
        """
        record = DeletionRecord(
            tune_code=self.code,
            remote_id=self.remote_id,
            model_kind=self.model_kind,
            test_mode=self.test_mode,
            photos=self.photos.count(),
            prompts=self.prompts.count(),
            images=self.prompts.aggregate(n=models.Count("images"))["n"],
            reason=self.deletion_reason or DeletionReason.USER,
            trained_at=self.trained_at,
        )
        prompt_codes = list(self.prompts.values_list("code", flat=True))
        self.delete_files()
        if record.reason == DeletionReason.RETENTION:
            final = self.Status.EXPIRED
        else:
            final = self.Status.DELETED
        with transaction.atomic():
            # What inspection said of the person in the photos goes with the photos.
            if self._cas([self.DELETING], status=final, next_attempt_at=None, characteristics={}):
                CallbackReceipt.objects.filter(kind=self.KIND, object_code=self.code).delete()
                CallbackReceipt.objects.filter(kind="prompt", object_code__in=prompt_codes).delete()
                record.save()

    def delete_files(self):
        """Remove every local file of the tune and its prompts; their rows go with them."""
        for photo in self.photos.all():
            photo.file.delete(save=False)
            photo.delete()
        remove_empty_folder(TrainingImage, f"tunes/{self.code}")
        for prompt in self.prompts.all():
            prompt.delete_files()
            prompt.delete()


class TrainingImage(models.Model):
    tune = models.ForeignKey(Tune, on_delete=models.CASCADE, related_name="photos")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=training_photo_path)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["tune", "sha256"], name="unique_photo_per_tune")
        ]

    def __str__(self):
        return f"Photo {self.position + 1} of {self.tune}"

    def get_absolute_url(self):
        return reverse("tunes:photo", args=[self.tune.code, self.code])

    def link(self):
        """The signed link pages show (astria_portal/serving.py, tunes/links.py)."""
        return serving.signed_url("p", self.pk, self.file.name)


class DeletionRecord(models.Model):
    """What remains of a deleted tune: counts and dates, no name, owner, text or file."""

    tune_code = models.UUIDField(unique=True, editable=False)
    remote_id = models.BigIntegerField(null=True, blank=True)
    model_kind = models.CharField(
        max_length=16, choices=[(k, v["label"]) for k, v in MODELS.items()]
    )
    test_mode = models.BooleanField()
    photos = models.PositiveIntegerField(help_text="Training photos removed.")
    prompts = models.PositiveIntegerField(help_text="Prompts removed.")
    images = models.PositiveIntegerField(help_text="Generated images removed.")
    reason = models.CharField(max_length=16, choices=DeletionReason.choices)
    trained_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self):
        return f"Fine-tune {self.tune_code} ({self.get_reason_display().lower()})"


def remove_empty_folder(model, name):
    """Remove a tune's or prompt's folder once its files are gone (its name is the code).

    Only the local disk has folders; a bucket's storage raises NotImplementedError here.
    """
    storage = model._meta.get_field("file").storage
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(name))
