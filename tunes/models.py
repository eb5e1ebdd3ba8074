import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from astria_portal.models import CallbackReceipt, RemoteJob

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
    test_mode = models.BooleanField(default=False, help_text="branch=fast: free mock training.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    eta = models.DateTimeField(null=True, blank=True)
    started_training_at = models.DateTimeField(null=True, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tunes:detail", args=[self.code])

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
    def is_finished(self):
        return self.status in (self.Status.TRAINED, self.Status.FAILED)

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
        }
        return {key: value for key, value in fields.items() if value is not None}

    # Transitions

    def submit(self):
        """Make the tune due and enqueue its submission, in the caller's transaction."""
        self.next_attempt_at = timezone.now()
        self.save(update_fields=["next_attempt_at", "updated_at"])
        async_task("tunes.tasks.submit_tune", self.pk)

    def _forward(self, status, **changes):
        """Move to status if that is forward from where the row is now."""
        before = [s for s, rank in self.RANK.items() if rank < self.RANK[status]]
        return self._cas(before, status=status, **changes)

    def adopt(self, remote):
        """Astria accepted the tune: keep its id and follow it from here."""
        now = timezone.now()
        with transaction.atomic():
            # Keep the id even if the user deleted the tune meanwhile: the deletion needs it.
            type(self).objects.filter(pk=self.pk, remote_id__isnull=True).update(
                remote_id=remote.id
            )
            if self._forward(
                self.Status.TRAINING,
                remote_id=remote.id,
                submitted_at=now,
                next_attempt_at=None,
                next_check_at=self._first_check(remote, now),
            ):
                self.apply_remote(remote)
                if CallbackReceipt.objects.filter(kind="tune", object_code=self.code).exists():
                    # Astria called back before we knew the remote id: act on it now.
                    async_task("tunes.tasks.refresh_tune", self.pk)

    def fail_submission(self, exc, gave_up=False):
        message = exc.message
        if gave_up:
            message = f"Astria could not be reached after {self.attempts + 1} attempts: {message}"
        self.record_error(exc)
        self.mark_failed(message)

    def apply_remote(self, remote):
        """Apply the state Astria reports; never moves backwards. Returns True on a change."""
        times = {
            "eta": remote.eta,
            "started_training_at": remote.started_training_at,
            "trained_at": remote.trained_at,
            "expires_at": remote.expires_at,
        }
        times = {name: value for name, value in times.items() if value is not None}
        if remote.is_trained:
            return self._finish(self.Status.TRAINED, next_check_at=None, **times)
        if remote.is_failed:
            return self.mark_failed(remote.user_error, **times)
        if times:
            type(self).objects.filter(pk=self.pk, status__in=self.IN_FLIGHT).update(**times)
        return False

    def mark_failed(self, message, **changes):
        return self._finish(
            self.Status.FAILED,
            last_error=message[:2000],
            last_error_at=timezone.now(),
            next_attempt_at=None,
            next_check_at=None,
            **changes,
        )

    def _finish(self, status, **changes):
        with transaction.atomic():
            changed = self._forward(status, **changes)
            if changed and type(self).objects.filter(pk=self.pk, notified_at__isnull=True).update(
                notified_at=timezone.now()
            ):
                async_task("tunes.tasks.notify_owner", self.pk)
        return changed

    def mark_gone(self):
        """Astria answers 404: the tune was deleted or expired there."""
        return self.mark_failed("Astria no longer has this fine-tune.")

    def mark_stalled(self):
        return self._forward(self.Status.STALLED)

    def mark_deleting(self):
        """Start deleting: on Astria first (a task), then the local files."""
        now = timezone.now()
        due = now
        if self.status == self.Status.SUBMITTING and self.next_attempt_at:
            # A create may be in flight: wait for its lease, so its id is known.
            due = max(now, self.next_attempt_at)
        with transaction.atomic():
            changed = self._forward(self.Status.DELETING, next_attempt_at=due)
            if changed and due == now:
                async_task("tunes.tasks.delete_tune", self.pk)
        return changed

    def delete_files(self):
        """Remove every local file of the tune; rows of deleted files go with them."""
        for photo in self.photos.all():
            photo.file.delete(save=False)
            photo.delete()

    def _first_check(self, remote, now):
        """When to poll if no callback arrives: after the ETA plus a grace period."""
        expected = max(remote.eta or now, now)
        return expected + timedelta(seconds=settings.CALLBACK_GRACE)


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
