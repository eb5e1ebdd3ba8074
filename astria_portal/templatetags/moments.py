"""Moments in words people use: "just now", not "0 minutes ago".

{% load moments %} {{ prompt.created_at|ago }}   -> "just now", "5 minutes ago"
                   {{ tune.eta|from_now }}       -> "in 12 minutes", "in under a minute"
"""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

register = template.Library()

MOMENT = timedelta(minutes=1)


@register.filter
def ago(value, now=None):
    if not value:
        return ""
    now = now or timezone.now()
    if now - value < MOMENT:
        return "just now"
    return f"{timesince(value, now, depth=1)} ago"


@register.filter
def from_now(value, now=None):
    if not value:
        return ""
    now = now or timezone.now()
    if value <= now:
        return "any moment now"
    if value - now < MOMENT:
        return "in under a minute"
    return f"in {timeuntil(value, now, depth=1)}"
