from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection, transaction
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from astria_portal import __version__, throttle
from astria_portal.forms import SignupForm
from astria_portal.models import Heartbeat


def home(request):
    if request.user.is_authenticated:
        return redirect("tunes:list")
    return render(request, "home.html")


def signup(request):
    if not settings.SIGNUP_ENABLED:
        raise Http404("Sign-up is closed.")
    if request.user.is_authenticated:
        return redirect("tunes:list")

    form = SignupForm(request.POST or None)
    if request.method == "POST":
        try:
            # Every attempt from an address counts; only new accounts count overall.
            throttle.take(throttle.SIGNUP_PER_IP, throttle.address_key(request))
            if form.is_valid():
                with transaction.atomic():
                    throttle.take(throttle.SIGNUP_ALL, "all")
                    user = form.save()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.username}! Your account is ready.")
                return redirect("tunes:list")
        except throttle.Throttled as exc:
            form.add_error(None, exc.message)
    return render(request, "registration/signup.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with a limit on the e-mails one address can have sent."""

    def form_valid(self, form):
        try:
            throttle.take(throttle.PASSWORD_RESET_PER_IP, throttle.address_key(self.request))
        except throttle.Throttled as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return super().form_valid(form)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused for too many failures (AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    ctx = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "registration/locked_out.html", ctx, status=429)


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
