from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


def staff_two_factor(get_response):
    """With STAFF_REQUIRE_2FA, a staff member without a second factor is sent to set
    one up before any admin page (STAFF_REQUIRE_2FA: on by default in production)."""
    admin_prefix = reverse("admin:index")

    def middleware(request):
        user = request.user
        if (
            settings.STAFF_REQUIRE_2FA
            and request.path.startswith(admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not is_mfa_enabled(user)
        ):
            messages.warning(
                request,
                "Staff pages need two-factor authentication: set up an authenticator app "
                "first, then open them again.",
            )
            return redirect("mfa_activate_totp")
        return get_response(request)

    return middleware
