"""How long a tune's data is kept, and how much time it has left.

A tune's retention clock starts when training ends (or when a tune that never
trained failed) and runs RETENTION_DAYS; a tune whose storage was extended on
Astria is kept until Astria's own ``expires_at``. ``Tune.retention_ends_at`` is the
rule for one tune; ``with_clock`` and ``ends_within`` are the same rule in SQL, for
the admin's filters, the purge and the dashboard. ``countdown`` turns the time
left into the band and words that the admin, the user pages and the dashboard show.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Min, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tunes.models import Tune

DAY = timedelta(days=1)
WEEK = timedelta(days=7)

# The bands of the countdown, also the CSS classes that colour it.
PLENTY = "plenty"
WITHIN_WEEK = "week"
WITHIN_DAY = "day"
EXPIRED = "expired"
EXTENDED = "extended"
NOT_STARTED = "none"
DELETED = "deleted"

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


@dataclass(frozen=True)
class Countdown:
    band: str
    ends_at: datetime | None = None
    remaining: timedelta | None = None

    @property
    def label(self):
        """Staff wording: "expires in 6 d 4 h", "expired 2 d 1 h ago", "extended"."""
        if self.band in (EXTENDED, DELETED):
            return self.band
        if self.band == NOT_STARTED:
            return "not trained"
        if self.remaining is None:
            return "expired"
        if self.remaining <= timedelta(0):
            if -self.remaining < timedelta(minutes=1):
                return "expired just now"
            return f"expired {span(-self.remaining)} ago"
        return f"expires in {span(self.remaining)}"

    @property
    def left(self):
        """User wording: "6 days left", "5 hours left"."""
        if self.band == EXPIRED or self.remaining is None or self.remaining <= timedelta(0):
            return ""
        days, hours = self.remaining.days, self.remaining.seconds // 3600
        if days:
            return f"{days} day{'s' if days != 1 else ''} left"
        if hours:
            return f"{hours} hour{'s' if hours != 1 else ''} left"
        return "less than an hour left"


def span(delta):
    """A duration in words: "6 d 4 h", "5 h 12 min", "12 min"."""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return "under a minute"


def countdown(tune, now=None):
    """The band and time left until the tune's data must be gone."""
    if tune.status == Tune.Status.DELETED:
        return Countdown(DELETED)
    now = now or timezone.now()
    ends_at = tune.retention_ends_at
    remaining = ends_at - now if ends_at else None
    if tune.status == Tune.Status.EXPIRED:
        return Countdown(EXPIRED, ends_at, remaining)
    if tune.auto_extend:
        return Countdown(EXTENDED, ends_at, remaining)
    if ends_at is None:
        return Countdown(NOT_STARTED)
    if remaining <= timedelta(0):
        band = EXPIRED
    elif remaining <= DAY:
        band = WITHIN_DAY
    elif remaining <= WEEK:
        band = WITHIN_WEEK
    else:
        band = PLENTY
    return Countdown(band, ends_at, remaining)


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
