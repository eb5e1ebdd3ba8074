import json
import secrets
import uuid

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The worker's last sign of life; one row, written by a schedule every minute."""

    beat_at = models.DateTimeField()

    def __str__(self):
        return f"Worker heartbeat at {self.beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def beat(cls):
        cls.objects.update_or_create(pk=1, defaults={"beat_at": timezone.now()})

    @classmethod
    def age(cls):
        """Seconds since the last heartbeat, or None if there never was one."""
        last = cls.objects.filter(pk=1).values_list("beat_at", flat=True).first()
        if last is None:
            return None
        return (timezone.now() - last).total_seconds()


def new_secret():
    return secrets.token_hex(16)


class RemoteJob(models.Model):
    """What tunes and prompts share: an object created on Astria and followed to the end.

    The row is the durable intent. Submission state (attempts, next_attempt_at,
    posted_at) and follow-up state (next_check_at) live here so that a sweep and a
    reconciler can pick up whatever a lost task or a lost callback left behind.
    """

    PENDING = "pending"
    SUBMITTING = "submitting"
    SUBMIT_STATUSES = (PENDING, SUBMITTING)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    remote_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    callback_secret = models.CharField(max_length=64, default=new_secret, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    posted_at = models.DateTimeField(
        null=True, blank=True, help_text="When a create request may first have reached Astria."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checks = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_error_body = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _cas(self, from_statuses, **changes):
        """Apply changes only if the status is still one of from_statuses."""
        changes.setdefault("updated_at", timezone.now())
        rows = type(self).objects.filter(pk=self.pk, status__in=from_statuses).update(**changes)
        if rows:
            for name, value in changes.items():
                if not hasattr(value, "resolve_expression"):
                    setattr(self, name, value)
        return rows == 1

    def record_error(self, exc, at=None, **changes):
        body = exc.body if isinstance(exc.body, str) else json.dumps(exc.body)
        return self._cas(
            self.SUBMIT_STATUSES,
            last_error=exc.message[:2000],
            last_error_body=(body or "")[:4000],
            last_error_at=at or timezone.now(),
            **changes,
        )


class CallbackReceipt(models.Model):
    """One callback Astria sent us: kept for staff, never the token or the body."""

    class Verdict(models.TextChoices):
        REFRESH = "refresh", "Refresh enqueued"
        IGNORED = "ignored", "Ignored: already final"

    kind = models.CharField(max_length=16)
    object_code = models.UUIDField(db_index=True)
    remote_id = models.BigIntegerField(null=True, blank=True)
    body_sha256 = models.CharField(max_length=64)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_received_at = models.DateTimeField(default=timezone.now)
    times_received = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_code", "body_sha256"], name="unique_callback_body"
            )
        ]
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.kind} callback for {self.object_code} at {self.received_at:%Y-%m-%d %H:%M}"
