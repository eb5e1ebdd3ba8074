from django.apps import AppConfig


class TunesConfig(AppConfig):
    name = "tunes"
    verbose_name = "Fine-tunes"
