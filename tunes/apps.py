from django.apps import AppConfig


class TunesConfig(AppConfig):
    name = "tunes"
    verbose_name = "Fine-tunes"

    def ready(self):
        from tunes import links

        links.register()
