from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from . import checks, signals  # noqa: F401 (checks registers itself)

        signals.connect()
