"""Monthly allowances of fine-tunes and images, charged atomically when a user submits.

The charge is one conditional UPDATE (``... WHERE images <= limit - n``), so two
concurrent submissions cannot both take the last images: the database serialises
the updates of the row and re-checks the condition (R32). A job that Astria
refuses for good, or that fails, gives its charge back.

BILLING_MODE="allowance" (the default) is this module's own monthly allowance. Any
other mode names a backend that an app registers with register_backend() as it
starts (billing/apps.py registers "credits"), so this module imports no feature app.
Callers pass the job as item: a backend prices and books the charge by it.
"""

from dataclasses import dataclass
from datetime import UTC, date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.utils import timezone

from astria_portal.models import Quota, Usage


class QuotaExceeded(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Allowance:
    tunes_limit: int
    images_limit: int
    tunes_used: int
    images_used: int

    @property
    def tunes_left(self):
        return max(0, self.tunes_limit - self.tunes_used)

    @property
    def images_left(self):
        return max(0, self.images_limit - self.images_used)


_backends = {}


def register_backend(mode, backend):
    """backend has charge(user_id, tunes, images, item) and the same give_back(), both
    called inside the caller's transaction; charge raises QuotaExceeded."""
    _backends[mode] = backend


def backend():
    """The registered backend of BILLING_MODE, or None for the monthly allowance."""
    mode = settings.BILLING_MODE
    if mode == "allowance":
        return None
    if mode not in _backends:
        raise ImproperlyConfigured(f"BILLING_MODE={mode!r} names no installed billing backend")
    return _backends[mode]


def month_of(moment):
    if timezone.is_aware(moment):
        moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def limits(user_id):
    quota = Quota.objects.filter(user_id=user_id).first()
    tunes = quota.tunes_per_month if quota and quota.tunes_per_month is not None else None
    images = quota.images_per_month if quota and quota.images_per_month is not None else None
    return (
        settings.QUOTA_TUNES_PER_MONTH if tunes is None else tunes,
        settings.QUOTA_IMAGES_PER_MONTH if images is None else images,
    )


def allowance(user_id, now=None):
    month = month_of(now or timezone.now())
    tunes_limit, images_limit = limits(user_id)
    usage = Usage.objects.filter(user_id=user_id, month=month).first()
    return Allowance(
        tunes_limit=tunes_limit,
        images_limit=images_limit,
        tunes_used=usage.tunes if usage else 0,
        images_used=usage.images if usage else 0,
    )


def charge(user_id, *, tunes=0, images=0, now=None, item=None):
    """Take from this month's allowance or raise QuotaExceeded. Call inside the
    transaction that creates the job, so a rollback gives the charge back."""
    if other := backend():
        return other.charge(user_id, tunes=tunes, images=images, item=item)
    month = month_of(now or timezone.now())
    tunes_limit, images_limit = limits(user_id)
    usage, _ = Usage.objects.get_or_create(user_id=user_id, month=month)
    taken = Usage.objects.filter(
        pk=usage.pk, tunes__lte=tunes_limit - tunes, images__lte=images_limit - images
    ).update(tunes=F("tunes") + tunes, images=F("images") + images)
    if taken:
        return
    left = allowance(user_id, now)
    if tunes and left.tunes_left < tunes:
        plural = "" if tunes_limit == 1 else "s"
        raise QuotaExceeded(
            f"You have used this month's allowance of {tunes_limit} fine-tune{plural}; "
            "it renews on the first of the month."
        )
    raise QuotaExceeded(
        f"This needs {images} images and {left.images_left} of your {images_limit} "
        "images this month are left."
    )


def give_back(user_id, charged_at, *, tunes=0, images=0, item=None):
    """Return a charge made at charged_at (to that month, never below zero)."""
    if other := backend():
        return other.give_back(user_id, tunes=tunes, images=images, item=item)
    month = month_of(charged_at)
    usage = Usage.objects.filter(user_id=user_id, month=month)
    if tunes:
        usage.filter(tunes__gte=tunes).update(tunes=F("tunes") - tunes)
    if images:
        usage.filter(images__gte=images).update(images=F("images") - images)
