"""django-axes and allauth together: one lockout per account, whichever name is typed."""

from axes.utils import reset
from django.contrib.auth import get_user_model


def username(request, credentials):
    """AXES_USERNAME_CALLABLE: the account's username for a username or an e-mail
    address, else what was typed (so unknown names are counted as well)."""
    credentials = credentials or {}
    typed = (
        credentials.get("username")
        or credentials.get("email")
        or credentials.get("login")
        or request.POST.get("login")
        or request.POST.get("username")
        or ""
    ).strip()
    if "@" in typed:
        found = (
            get_user_model()
            .objects.filter(email__iexact=typed)
            .values_list("username", flat=True)
            .first()
        )
        if found:
            return found
    return typed


def forget_failures(user):
    """A password reset proves the address: the account's lockout ends with it."""
    return reset(username=user.get_username())
