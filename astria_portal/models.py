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
