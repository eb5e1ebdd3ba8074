from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from astria_portal import __version__
from astria_portal.models import Heartbeat


def home(request):
    if request.user.is_authenticated:
        return redirect("tunes:list")
    return render(request, "home.html")


@never_cache
@require_GET
def healthz(request):
    database_ok = True
    heartbeat_age = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        heartbeat_age = Heartbeat.age()
    except DatabaseError:
        database_ok = False

    worker_ok = heartbeat_age is not None and heartbeat_age <= settings.HEARTBEAT_MAX_AGE
    healthy = database_ok and worker_ok
    body = {
        "status": "ok" if healthy else "fail",
        "version": __version__,
        "database": {"ok": database_ok},
        "worker": {
            "ok": worker_ok,
            "heartbeat_age_seconds": None if heartbeat_age is None else round(heartbeat_age),
            "max_age_seconds": settings.HEARTBEAT_MAX_AGE,
        },
    }
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
