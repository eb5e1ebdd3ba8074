from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [
    # (username, password, e-mail, is_staff)
    ("demo", "demo-portal-2026", "demo@example.com", False),
    ("staff", "staff-portal-2026", "staff@example.com", True),
]


class Command(BaseCommand):
    help = (
        "Get ready for `make run`: in demo mode make sure the demo and staff accounts "
        "exist. Prints the processes to start (for honcho) on stdout."
    )

    def handle(self, *args, **options):
        processes = ["web", "worker"]
        if settings.ASTRIA_DEMO:
            processes.append("emulator")
            self.ensure_demo_accounts()
        else:
            self.stderr.write(f"Astria API key configured: using {settings.ASTRIA_API_URL}.")
        self.stderr.write(f"\n  Astria Portal: {settings.PUBLIC_BASE_URL}/\n")
        self.stdout.write(" ".join(processes))

    def ensure_demo_accounts(self):
        self.stderr.write("Demo mode (no ASTRIA_API_KEY): the offline Astria emulator runs too.")
        for username, password, email, is_staff in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.email = email
            user.is_staff = user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            # Ready to use: a newcomer trying the demo is not asked to verify it.
            EmailAddress.objects.filter(user=user).exclude(email=email).delete()
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            role = "staff, /admin/" if is_staff else "user"
            self.stderr.write(f"  {role:>14}: {username} / {password}")
