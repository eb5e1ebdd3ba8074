"""Limits on how often things may be done: sign-ups per address and overall,
password reset e-mails per address, new fine-tunes per user and day, prompts per
user and hour (RELIABILITY.md R32), and posts of the new fine-tune form (each one
costs seconds of CPU, whether it turns out valid or not) per user and per address.

Each limit counts in fixed windows (the clock hour, the UTC day) in the
database, so every web process sees the same count. Taking one is a single
conditional UPDATE (``... WHERE count < limit``), like the quota charge: called
inside the transaction that creates the thing, concurrent requests cannot go
over the limit, and a rollback gives the count back. Logins are throttled by
django-axes (settings.AXES_*), which uses client_ip() below too.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from astria_portal.models import Throttle

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


class Throttled(Exception):
    def __init__(self, message, retry_after):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # a timedelta


@dataclass(frozen=True)
class Limit:
    scope: str
    setting: str  # the name of the setting that holds the number
    window: timedelta
    message: str  # formatted with limit= and wait=

    @property
    def number(self):
        return getattr(settings, self.setting)


SIGNUP_PER_IP = Limit(
    "signup-ip",
    "SIGNUPS_PER_IP_PER_HOUR",
    HOUR,
    "Too many sign-ups from your network in the last hour. Please try again in {wait}.",
)
SIGNUP_ALL = Limit(
    "signup-all",
    "SIGNUPS_PER_HOUR",
    HOUR,
    "We are taking a lot of new accounts right now. Please try again in {wait}.",
)
PASSWORD_RESET_PER_IP = Limit(
    "reset-ip",
    "PASSWORD_RESETS_PER_IP_PER_HOUR",
    HOUR,
    "Too many password reset e-mails were asked for from your network. Please try again in {wait}.",
)
TUNES = Limit(
    "tunes",
    "TUNES_PER_DAY",
    DAY,
    "You can start {limit} fine-tune{s} a day and have started {them} today. "
    "You can start the next one in {wait}.",
)
TUNE_UPLOADS = Limit(
    "tune-uploads",
    "TUNE_UPLOADS_PER_HOUR",
    HOUR,
    "You can send the new fine-tune form {limit} time{s} an hour and have sent it that "
    "often. Please try again in {wait}.",
)
TUNE_UPLOADS_PER_IP = Limit(
    "tune-uploads-ip",
    "TUNE_UPLOADS_PER_IP_PER_HOUR",
    HOUR,
    "Too many fine-tune uploads from your network in the last hour. Please try again in {wait}.",
)
PROMPTS = Limit(
    "prompts",
    "PROMPTS_PER_HOUR",
    HOUR,
    "You can send {limit} prompt{s} an hour and have sent {them}. "
    "You can send the next one in {wait}.",
)


def take(limit, key, now=None):
    """Count one more in the current window, or raise Throttled. A limit of 0 is off."""
    number = limit.number
    if number <= 0:
        return
    now = now or timezone.now()
    start = window_start(now, limit.window)
    key = str(key)
    # INSERT ... ON CONFLICT DO NOTHING, so concurrent first takes make one row.
    Throttle.objects.bulk_create(
        [Throttle(scope=limit.scope, key=key, window_start=start)], ignore_conflicts=True
    )
    taken = Throttle.objects.filter(
        scope=limit.scope, key=key, window_start=start, count__lt=number
    ).update(count=F("count") + 1)
    if not taken:
        retry_after = start + limit.window - now
        message = _message(limit, number, retry_after)
        raise Throttled(message, retry_after)


def refusal(limit, key, now=None):
    """The Throttled that take() would raise now, or None; nothing is counted. For
    pages that say so before the user does the work (the new fine-tune form)."""
    number = limit.number
    if number <= 0:
        return None
    now = now or timezone.now()
    start = window_start(now, limit.window)
    rows = Throttle.objects.filter(scope=limit.scope, key=str(key), window_start=start)
    if not rows.filter(count__gte=number).exists():
        return None
    retry_after = start + limit.window - now
    return Throttled(_message(limit, number, retry_after), retry_after)


def _message(limit, number, retry_after):
    one = number == 1
    words = {"s": "" if one else "s", "them": "it" if one else "them all"}
    return limit.message.format(limit=number, wait=_wait(retry_after), **words)


def window_start(moment, window):
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, UTC)


def _wait(delta):
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hour{'' if hours == 1 else 's'}"


def forget_old(now=None):
    """Delete windows that ended a day ago or more, and failed logins past their
    cool-off (they hold addresses and user names); the hourly purge calls it."""
    now = now or timezone.now()
    windows, _ = Throttle.objects.filter(window_start__lt=now - 2 * DAY).delete()
    logins, _ = AccessAttempt.objects.filter(
        attempt_time__lt=now - settings.AXES_COOLOFF_TIME
    ).delete()
    return windows + logins


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT proxies
    back in X-Forwarded-For. An IPv6 address stands for its /64, which is what one
    household or server usually has."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def address_key(request):
    """A keyed hash of the client's address: counts per address without storing it."""
    return salted_hmac("astria-portal.throttle", client_ip(request) or "unknown").hexdigest()[:32]
