"""django-allauth, the portal's way: SITE_NAME in every page and e-mail, the
sign-up switch and limits, and verification asked of new accounts only."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.http import Http404


@dataclass(frozen=True)
class Site:
    """What allauth's e-mails call current_site: the portal's name, never the request host."""

    name: str
    domain: str


def current_site():
    return Site(settings.SITE_NAME, urlsplit(settings.PUBLIC_BASE_URL).netloc or "localhost")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return settings.SIGNUP_ENABLED

    def format_email_subject(self, subject):
        return f"[{settings.SITE_NAME}] {subject}"

    def send_mail(self, template_prefix, email, context):
        # allauth fills in the request's host first; these win (it updates with context).
        context = {"current_site": current_site(), "site_name": settings.SITE_NAME, **context}
        return super().send_mail(template_prefix, email, context)

    def get_login_stages(self):
        return [
            "accounts.stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return settings.SIGNUP_ENABLED

    def get_app(self, request, provider, client_id=None):
        # A provider without its client id and secret is off: its pages are not there.
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(f"Sign-in with {provider} is not set up.") from None
