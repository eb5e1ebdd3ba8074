from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "prompts"
    verbose_name = "Prompts and images"

    def ready(self):
        from prompts import links

        links.register()
