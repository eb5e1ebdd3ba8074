"""What the staff dashboard shows: is the service healthy, and what needs a person."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from astria_portal import astria
from astria_portal.models import CallbackReceipt, Heartbeat
from prompts.models import Prompt
from tunes import countdown, retention
from tunes.models import Tune

BALANCE_CACHE_KEY = "dashboard:astria-balance"
BALANCE_CACHE_SECONDS = 300
BALANCE_RETRY_SECONDS = 60
# A due job the every-minute sweep has not picked up in this long is stuck.
STUCK_AFTER = timedelta(minutes=15)
# The purge runs hourly: older overdue data means an item is stuck (R35).
OVERDUE_WARNING = timedelta(hours=2)
LIST_LENGTH = 10
# What the dashboard shows, besides counts of the service's own rows.
SHOWN = (Tune, Prompt)


def may_view(request):
    """Staff whom the admin lets view the tunes and prompts the dashboard lists."""
    site = admin.site
    return all(
        site.is_registered(model) and site.get_model_admin(model).has_view_permission(request)
        for model in SHOWN
    )


def summary():
    now = timezone.now()
    tunes = Tune.objects.select_related("owner")
    overdue_age = retention.oldest_overdue(now)
    heartbeat_age = Heartbeat.age()
    return {
        "tune_counts": _counts(Tune),
        "prompt_counts": _counts(Prompt),
        "expiring": [
            _expiring("Expiring within 24 hours", "day", tunes, now),
            _expiring("Expiring within 7 days", "week", tunes, now),
        ],
        "stalled": tunes.filter(status=Tune.Status.STALLED).order_by("eta"),
        "stuck": _stuck(now),
        "overdue_count": retention.overdue(now).count(),
        "overdue_age": overdue_age and countdown.span(overdue_age),
        "overdue_warning": overdue_age is not None and overdue_age > OVERDUE_WARNING,
        "last_callback": CallbackReceipt.objects.aggregate(at=Max("last_received_at"))["at"],
        "heartbeat_age": None
        if heartbeat_age is None
        else countdown.span(timedelta(seconds=heartbeat_age)),
        "heartbeat_ok": heartbeat_age is not None and heartbeat_age <= settings.HEARTBEAT_MAX_AGE,
        "errors": _recent_errors(now),
        "balance": account_balance(),
        "retention_days": settings.RETENTION_DAYS,
        "list_length": LIST_LENGTH,
    }


def _expiring(title, window, tunes, now):
    found = retention.in_window(tunes, window, now).order_by("clock_start", "expires_at")
    return title, window, found.count(), list(found[:LIST_LENGTH])


def _counts(model):
    found = dict(model.objects.values_list("status").annotate(n=Count("pk")))
    return [(label, value, found.get(value, 0)) for value, label in model.Status.choices]


def _stuck(now):
    """Jobs due long ago that no worker picked up: the queue or the worker is down."""
    late = now - STUCK_AFTER
    rows = []
    for model in (Tune, Prompt):
        waiting = model.objects.filter(
            status__in=(*model.SUBMIT_STATUSES, model.DELETING), next_attempt_at__lt=late
        ).count()
        unpolled = model.objects.filter(status__in=model.IN_FLIGHT, next_check_at__lt=late).count()
        rows.append((model._meta.verbose_name_plural, waiting, unpolled))
    return rows


def _recent_errors(now):
    """Astria's refusals and failures of the last day, newest first."""
    since = now - timedelta(days=1)
    total, latest = 0, []
    for model in (Tune, Prompt):
        recent = model.objects.filter(last_error_at__gte=since).exclude(last_error="")
        total += recent.count()
        latest += [
            (model._meta.verbose_name, job)
            for job in recent.order_by("-last_error_at")[:LIST_LENGTH]
        ]
    latest.sort(key=lambda pair: pair[1].last_error_at, reverse=True)
    return {"total": total, "latest": latest[:LIST_LENGTH]}


def account_balance():
    """The Astria account balance (GET /users), cached; never raises."""
    balance = cache.get(BALANCE_CACHE_KEY)
    if balance is None:
        try:
            account = astria.get_client(timeout=(3, 10)).get_account()
        except astria.AstriaError as exc:
            balance = {"usd": None, "error": str(exc)}
            cache.set(BALANCE_CACHE_KEY, balance, BALANCE_RETRY_SECONDS)
        else:
            balance = {"usd": account.balance_usd, "error": ""}
            if account.balance_usd is None:
                balance["error"] = "Astria's answer has no usd_balance_mc"
            cache.set(BALANCE_CACHE_KEY, balance, BALANCE_CACHE_SECONDS)
    threshold = Decimal(settings.ASTRIA_BALANCE_WARNING_USD)
    low = balance["usd"] is not None and balance["usd"] < threshold
    return {**balance, "low": low, "threshold": threshold}
