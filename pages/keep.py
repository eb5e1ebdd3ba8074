"""Whole pages kept in each process's memory while nothing they show has changed.

A user's list of fine-tunes, a fine-tune's page and the gallery are the pages people
open most and the ones that change least; so, for staff, is the admin's fine-tune
list. Such a view is rendered once; while the changes it shows (pages_change, written
by the database's triggers: pages/triggers.py) stay as they were, the same page comes
from memory, after three queries: the session, the user and the changes.

They are kept in the "pages" cache, in each process's memory, at most 200 of them. The
key (astria_portal/fragments.py) holds the path with its query, the user, the count
and newest id of the user's and everyone's changes (of all changes, for a staff
page; a count, so that a change committed out of id order is seen too), the expiry
of signed links, the language and time zone, and the time to MOMENT seconds: "5
minutes ago" and countdowns are never more than that behind. A hard reload
(Cache-Control: no-cache) renders the page afresh. A page that shows messages, sets
a cookie or headers of its own, or is not a 200 is never kept. Its CSRF token is a
placeholder, and each response gets its own masked token (BREACH), as the kept
parts do.
"""

import functools
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.utils import translation

from astria_portal import fragments, serving
from pages.models import Change
from pages.triggers import CHANGES, EVERYONE, watching

MOMENT = 10  # seconds
KEPT_SECONDS = 600

MARK_SQL = f"SELECT COUNT(*), MAX(id) FROM {CHANGES} WHERE user_id IN (%s, {EVERYONE})"  # noqa: S608
EVERYTHING_SQL = f"SELECT COUNT(*), MAX(id) FROM {CHANGES}"  # noqa: S608


def cache():
    return caches["pages"]


def mark(user_id=None):
    """Where the user's changes stand (None: everyone's): (count, newest id), one query."""
    with connection.cursor() as cursor:
        if user_id is None:
            cursor.execute(EVERYTHING_SQL)
        else:
            cursor.execute(MARK_SQL, [user_id])
        return tuple(cursor.fetchone())


def _key(request, everyone):
    moment = int(time.time() // MOMENT)
    state = (
        request.get_full_path(),
        request.user.pk,
        mark(None if everyone else request.user.pk),
        serving.expiry(),
        moment,
        translation.get_language(),
    )
    return fragments.key("page", (), state)


def _keepable(request, response):
    return (
        response.status_code == 200
        and not response.cookies
        and set(response.headers) == {"Content-Type"}
        and not len(get_messages(request))
    )


def kept_page(view):
    """Keep a signed-in user's page of their own things whole while none of them
    changes (decorate inside login_required)."""
    return _keeping(view, everyone=False)


def kept_staff_page(view):
    """Keep a staff page whole while nothing that any page shows changes: an admin
    list of everyone's rows."""
    return _keeping(view, everyone=True)


def _keeping(view, everyone):
    @functools.wraps(view)
    def keeping(request, *args, **kwargs):
        if (
            request.method != "GET"
            or not (settings.KEEP_PAGES and watching(connection))
            or len(get_messages(request))
        ):
            return view(request, *args, **kwargs)
        key = _key(request, everyone)
        # A hard reload (no-cache) is rendered afresh, and kept again.
        afresh = "no-cache" in request.headers.get("Cache-Control", "")
        kept = None if afresh else cache().get(key)
        if kept is not None:
            content_type, html = kept
            return HttpResponse(fragments.with_token(request, html), content_type=content_type)
        fragments.hold_token(request)
        try:
            response = view(request, *args, **kwargs)
            if not getattr(response, "is_rendered", True):
                response.render()  # a TemplateResponse (the admin's): while the token is held
        finally:
            fragments.hold_token(request, False)
        if response.streaming:
            return response
        html = response.content.decode(response.charset)
        if _keepable(request, response):
            cache().set(key, (response["Content-Type"], html), KEPT_SECONDS)
        response.content = fragments.with_token(request, html)
        return response

    return keeping


def forget(user_id):
    """Remove what was recorded for a user who is gone (their account deleted)."""
    Change.objects.filter(user_id=user_id).delete()


# Set-wise: a MAX() per row is a scan per row when the planner picks it.
OLDER_SQL = f"""
DELETE FROM {CHANGES} WHERE id IN (
    SELECT older.id FROM {CHANGES} older
    JOIN (SELECT user_id, MAX(id) AS id FROM {CHANGES} GROUP BY user_id) newest
      ON newest.user_id = older.user_id AND older.id < newest.id
)"""  # noqa: S608
GONE_SQL = (
    f"DELETE FROM {CHANGES} WHERE user_id <> {EVERYONE} "  # noqa: S608
    "AND user_id NOT IN (SELECT id FROM auth_user)"
)


def compact():
    """Leave each user one change, newer than all before it, so that no key seen before
    comes back; and none for users who are gone. Returns the rows deleted."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Fresh statistics first: the table may have grown a hundredfold since the last
        # (on stale ones PostgreSQL planned a join of 35,000 rows as 35,000 scans).
        cursor.execute(f"ANALYZE {CHANGES}")
        cursor.execute(
            f"INSERT INTO {CHANGES} (user_id) SELECT user_id FROM {CHANGES} "  # noqa: S608
            "GROUP BY user_id HAVING COUNT(*) > 1"
        )
        cursor.execute(OLDER_SQL)
        deleted = cursor.rowcount
        cursor.execute(GONE_SQL)
        deleted += cursor.rowcount
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # The deleted rows' index entries, which every page's count would otherwise
        # read past until autovacuum came (2 ms a page after 70,000 deleted rows).
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {CHANGES}")
    return deleted
