from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core import checks
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "astria_portal"
    verbose_name = "Astria Portal"

    def ready(self):
        from astria_portal import checks as portal_checks
        from astria_portal.schedules import install_schedules

        checks.register(portal_checks.check_settings, checks.Tags.compatibility)
        checks.register(portal_checks.check_production, checks.Tags.security, deploy=True)
        post_migrate.connect(install_schedules, sender=self)
        post_migrate.connect(create_cache_table, sender=self)


class PortalAdminConfig(AdminConfig):
    """Django's admin on the project's site (admin_site.py)."""

    default_site = "astria_portal.admin_site.PortalAdminSite"


def create_cache_table(using="default", verbosity=1, **kwargs):
    """Create the database cache's table (CACHE_URL's default) wherever migrate runs."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=verbosity)
