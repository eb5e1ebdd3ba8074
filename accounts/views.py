from allauth.account import views as allauth_views
from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import deletion, exports
from accounts.forms import ConfirmWithCodeForm, confirm_form_class
from accounts.models import DataExport
from astria_portal import serving, throttle
from tunes.models import Tune


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, behind SIGNUP_ENABLED and the portal's sign-up limits: every
    attempt from an address counts; every completed sign-up counts overall (a taken
    address too, which must look the same as a new one)."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.SIGNUP_ENABLED:
            raise Http404("Sign-up is closed.")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            throttle.take(throttle.SIGNUP_PER_IP, throttle.address_key(request))
        except throttle.Throttled as exc:
            return self._refuse(self.get_form(), exc)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                throttle.take(throttle.SIGNUP_ALL, "all")
                return super().form_valid(form)
        except throttle.Throttled as exc:
            return self._refuse(form, exc)

    def _refuse(self, form, exc):
        form.add_error(None, exc.message)
        return self.form_invalid(form)


class PasswordResetView(allauth_views.PasswordResetView):
    """allauth's password reset, with a limit on the e-mails one address can have sent."""

    def form_valid(self, form):
        try:
            throttle.take(throttle.PASSWORD_RESET_PER_IP, throttle.address_key(self.request))
        except throttle.Throttled as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return super().form_valid(form)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused for too many failures (AXES_LOCKOUT_CALLABLE)."""
    credentials = credentials or {}
    username = (
        credentials.get("username")
        or credentials.get("email")
        or request.POST.get("login")
        or request.POST.get("username", "")
    )
    ctx = {
        "username": username,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "accounts/locked_out.html", ctx, status=429)


@login_required
@require_GET
def account(request):
    user = request.user
    exports_list = DataExport.objects.filter(user=user).exclude(status=DataExport.Status.EXPIRED)
    ctx = {
        "email_verified": EmailAddress.objects.filter(
            user=user, email__iexact=user.email, verified=True
        ).exists(),
        "has_password": user.has_usable_password(),
        "two_factor": is_mfa_enabled(user),
        "social": SocialAccount.objects.filter(user=user),
        "social_enabled": bool(settings.SOCIALACCOUNT_PROVIDERS),
        "exports": exports_list[:3],
        "link_hours": settings.EXPORT_LINK_HOURS,
    }
    return render(request, "accounts/account.html", ctx)


@login_required
@require_POST
def export_start(request):
    export, created = exports.request_export(request.user)
    if created:
        messages.success(
            request,
            "Your data is being gathered. We e-mail you a download link when it is ready; "
            "it is shown on this page too.",
        )
    else:
        messages.info(request, "Your data is already being gathered.")
    return redirect("accounts:account")


def _get_export_for_user(request, code):
    ready = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__gt=timezone.now())
    return get_object_or_404(ready, code=code, user=request.user)


@login_required
@require_GET
def export_download(request, code):
    export = _get_export_for_user(request, code)
    name = f"{settings.SITE_NAME}-data-{timezone.localdate(export.ready_at):%Y-%m-%d}.zip"
    return serving.file_response(
        export.file, "application/zip", name.replace(" ", "-").lower(), as_attachment=True
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    form_class = confirm_form_class(user)
    form = form_class(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        deletion.start(user)
        logout(request)
        messages.success(
            request,
            "Your account is being deleted, with every fine-tune, prompt and image, "
            "on Astria and here. We e-mail you when it is done.",
        )
        return redirect("home")
    ctx = {
        "form": form,
        "asks_code": form_class is ConfirmWithCodeForm,
        "tunes": Tune.objects.filter(owner=user).exclude(status__in=Tune.GONE).count(),
    }
    return render(request, "accounts/delete.html", ctx)
