from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from astria_portal import metrics as counters
from monitoring import dashboard
from monitoring.collectors import DatabaseCollector


@never_cache
@require_GET
def metrics(request):
    """Prometheus' text format, for "Authorization: Bearer $METRICS_TOKEN" only."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if not constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {token}"):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response

    registry = CollectorRegistry()
    if counters.folder():
        # Every process of this machine, from their files.
        MultiProcessCollector(registry)
    else:
        registry.register(counters.REQUEST_SECONDS)
        registry.register(counters.ASTRIA_CALLS)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def staff_dashboard(request):
    """The staff dashboard, inside the admin (wrapped in admin_view: staff only), for
    those who may view what it shows."""
    if not dashboard.may_view(request):
        raise PermissionDenied
    ctx = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "subtitle": None,
        **dashboard.summary(),
    }
    return render(request, "admin/dashboard.html", ctx)
