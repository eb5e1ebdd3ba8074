"""How much time a tune's data has left, in the bands and words pages show.

``countdown`` reads the tune's own rule (``Tune.retention_ends_at``); it needs
nothing else of the model, so the model can use it without an import cycle.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

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
        # Whole days to the nearest: a tune trained a minute ago has "30 days left"
        # of a 30-day period, not 29 and 23 hours shown as 29.
        days, hours = round(self.remaining / DAY), self.remaining.seconds // 3600
        if self.remaining >= DAY:
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
    if tune.status == "deleted":
        return Countdown(DELETED)
    now = now or timezone.now()
    ends_at = tune.retention_ends_at
    remaining = ends_at - now if ends_at else None
    if tune.status == "expired":
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
