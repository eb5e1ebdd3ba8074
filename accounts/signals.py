from allauth.account.signals import password_reset
from django.dispatch import receiver

from accounts import lockout


@receiver(password_reset)
def end_lockout_on_password_reset(sender, request, user, **kwargs):
    lockout.forget_failures(user)
