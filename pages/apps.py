from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Kept pages"

    def ready(self):
        from pages.triggers import install_after_migrate

        # After every migrate: a table a migration rebuilt (SQLite does, to alter one)
        # has lost its triggers, and gets them back.
        post_migrate.connect(install_after_migrate, sender=self)
