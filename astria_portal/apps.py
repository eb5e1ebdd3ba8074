from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core import checks
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "astria_portal"
    verbose_name = "Astria Portal"

    def ready(self):
        from django_q.signals import post_spawn

        from astria_portal import checks as portal_checks
        from astria_portal import sentry
        from astria_portal.schedules import install_schedules
        from astria_portal.tasks import worker_started

        sentry.init_from_settings()

        checks.register(portal_checks.check_settings, checks.Tags.compatibility)
        checks.register(portal_checks.check_production, checks.Tags.security, deploy=True)
        post_migrate.connect(install_schedules, sender=self)
        post_migrate.connect(create_cache_table, sender=self)
        # Each worker process beats as it starts: /healthz is healthy from the start.
        post_spawn.connect(worker_started, dispatch_uid="portal-heartbeat-at-start")


class PortalAdminConfig(AdminConfig):
    """Django's admin on the project's site (admin_site.py)."""

    default_site = "astria_portal.admin_site.PortalAdminSite"


def create_cache_table(using="default", verbosity=1, **kwargs):
    """Create the database cache's table (CACHE_URL's default) wherever migrate runs."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=verbosity)
