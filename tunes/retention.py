"""How long a tune's data is kept, and how much time it has left.

A tune's retention clock starts when training ends (or when a tune that never
trained failed) and runs RETENTION_DAYS; a tune whose storage was extended on
Astria is kept until Astria's own ``expires_at``. ``Tune.retention_ends_at`` is the
rule for one tune; ``with_clock`` and ``ends_within`` are the same rule in SQL, for
the admin's filters, the purge and the dashboard (tunes/countdown.py turns the time
left into the words pages show).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Min, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tunes.countdown import DAY, WEEK
from tunes.models import Tune

# The admin's "storage" filter.
WINDOWS = [
    ("expired", "Expired"),
    ("day", "Under 24 hours"),
    ("week", "Under 7 days"),
    ("later", "Later"),
    ("untrained", "Not trained yet"),
]


def period():
    return timedelta(days=settings.RETENTION_DAYS)


# The same rule in SQL


def with_clock(queryset):
    """Annotate ``clock_start``: Tune.retention_start as a database expression."""
    return queryset.annotate(
        clock_start=Case(
            When(trained_at__isnull=False, then=F("trained_at")),
            When(status__in=Tune.AWAITING, then=Value(None)),
            default=Coalesce(F("last_error_at"), F("created_at")),
            output_field=models.DateTimeField(),
        )
    )


def ends_within(after=None, until=None):
    """A filter (on a with_clock queryset): retention ends in (after, until]."""
    own = Q(auto_extend=False, clock_start__isnull=False)
    extended = Q(auto_extend=True, expires_at__isnull=False)
    if after is not None:
        own &= Q(clock_start__gt=after - period())
        extended &= Q(expires_at__gt=after)
    if until is not None:
        own &= Q(clock_start__lte=until - period())
        extended &= Q(expires_at__lte=until)
    return own | extended


def in_window(queryset, window, now=None):
    """Tunes of queryset in one of the WINDOWS."""
    now = now or timezone.now()
    queryset = with_clock(queryset)
    if window == "untrained":
        return queryset.filter(status__in=Tune.AWAITING)
    if window == "expired":
        past = Q(status=Tune.Status.EXPIRED) | ends_within(until=now)
        return queryset.filter(past).exclude(status=Tune.Status.DELETED)
    bounds = {"day": (now, now + DAY), "week": (now + DAY, now + WEEK), "later": (now + WEEK, None)}
    after, until = bounds[window]
    return queryset.exclude(status__in=Tune.GONE).filter(ends_within(after, until))


def due(now=None):
    """Tunes whose retention has ended and whose deletion has not started."""
    live = Tune.objects.exclude(status__in=(*Tune.GONE, Tune.Status.DELETING))
    return with_clock(live).filter(ends_within(until=now or timezone.now()))


def overdue(now=None):
    """Tunes past their retention whose data is not gone yet (deleting ones included)."""
    live = Tune.objects.exclude(status__in=Tune.GONE)
    return with_clock(live).filter(ends_within(until=now or timezone.now()))


def oldest_overdue(now=None):
    """How long the oldest data past its retention has been waiting (R35), or None.

    A healthy hourly purge keeps this under about an hour; more means a stuck item.
    """
    now = now or timezone.now()
    overdue_tunes = overdue(now)
    ends = []
    own = overdue_tunes.filter(auto_extend=False).aggregate(start=Min("clock_start"))["start"]
    if own is not None:
        ends.append(own + period())
    extended = overdue_tunes.filter(auto_extend=True).aggregate(end=Min("expires_at"))["end"]
    if extended is not None:
        ends.append(extended)
    return now - min(ends) if ends else None


def with_end(queryset):
    """Annotate ``retention_ends``: Tune.retention_ends_at as a database expression
    (none for a deleted tune), for the admin's sort by time left."""
    return with_clock(queryset).annotate(
        retention_ends=Case(
            When(status=Tune.Status.DELETED, then=Value(None)),
            When(auto_extend=True, then=F("expires_at")),
            default=ExpressionWrapper(
                F("clock_start") + Value(period()), output_field=models.DateTimeField()
            ),
            output_field=models.DateTimeField(),
        )
    )
