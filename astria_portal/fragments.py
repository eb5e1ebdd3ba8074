"""Rendered parts of pages, kept in each process's memory under a digest of what they show.

A part's key is a SHA-256 of everything its HTML depends on (the rows it shows, the
choices around it, its templates' sources, the expiry of its signed links), so the same
key always means the same HTML: a process may keep it in its own memory (the
"fragments" cache, no database round trip) and never show anything stale, and several
processes or machines never disagree. A change of state is a new key; the old entry is
never read again and falls out of the bounded cache.

A part that holds a form is rendered with a placeholder for the CSRF token, and the
request's own masked token goes in on the way out: a kept part never repeats a token
(BREACH) nor carries another browser's. While a whole page is rendered to be kept
(pages/keep.py), the token is held back everywhere on it, its parts included, and goes
in once, as the page is sent.
"""

import functools
import hashlib

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template import engines
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

CSRF_MARK = "csrf-token-of-the-request"


def cache():
    return caches["fragments"]


@functools.cache
def templates_digest(*names):
    """A digest of the templates' sources, so a new release never shows old HTML."""
    sources = [get_template(name).template.source for name in names]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()[:16]


def key(kind, templates, state):
    """The key of a part: its kind, its templates and the state it shows (any repr-able
    value), with the time zone its times are shown in."""
    parts = (templates_digest(*templates), timezone.get_current_timezone_name(), state)
    return f"{kind}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def hold_token(request, hold=True):
    """While held, templates get the placeholder and with_token leaves it in place."""
    request.csrf_token_held = hold


def held_token(request):
    """The context processor that puts the placeholder in while the token is held."""
    return {"csrf_token": CSRF_MARK} if getattr(request, "csrf_token_held", False) else {}


def with_token(request, html):
    """The HTML with the request's own CSRF token in place of the placeholder."""
    if getattr(request, "csrf_token_held", False):
        return mark_safe(html)  # noqa: S308 (the whole page gets it as it is sent)
    return mark_safe(html.replace(CSRF_MARK, get_token(request)))  # noqa: S308


def page_context(request, context):
    """The context as a page would render it: what the context processors give, then
    the view's own, with the placeholder for the CSRF token."""
    given = {}
    for processor in engines["django"].engine.template_context_processors:
        given.update(processor(request))
    return {**given, **context, "csrf_token": CSRF_MARK}
