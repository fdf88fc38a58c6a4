from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Reader's pages"

    def ready(self):
        from . import signals

        signals.connect()
