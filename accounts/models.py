import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


def export_path(export, filename):
    return f"exports/{export.code}/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """One ZIP of everything the portal keeps about a user, built in the background."""

    class Status(models.TextChoices):
        BUILDING = "building", "Being built"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BUILDING)
    file = models.FileField(upload_to=export_path, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    requested_by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Data export {self.code}"

    def get_absolute_url(self):
        return reverse("accounts:export_download", args=[self.code])

    @property
    def is_downloadable(self):
        return self.status == self.Status.READY and self.expires_at > timezone.now()

    def mark_ready(self, name, size):
        now = timezone.now()
        return bool(
            DataExport.objects.filter(pk=self.pk, status=self.Status.BUILDING).update(
                status=self.Status.READY,
                file=name,
                size=size,
                ready_at=now,
                expires_at=now + timedelta(hours=settings.EXPORT_LINK_HOURS),
            )
        )

    def delete_file(self):
        if self.file:
            self.file.delete(save=False)


class AccountDeletion(models.Model):
    """An account being deleted, then what remains of it: counts and dates only.

    While the deletion runs it points at the user (and keeps the address the
    confirmation goes to); once done the user is gone, the pointer empty and the
    address blank.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Being deleted"
        DONE = "done", "Deleted"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    by_staff = models.BooleanField(default=False)
    notify_email = models.EmailField(blank=True, help_text="Blanked once the confirmation is sent.")
    tunes = models.PositiveIntegerField(default=0)
    prompts = models.PositiveIntegerField(default=0)
    exports = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"Account deletion {self.code}"
