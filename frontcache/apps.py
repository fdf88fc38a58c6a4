from django.apps import AppConfig


class FrontCacheConfig(AppConfig):
    name = "frontcache"
    verbose_name = "Front cache (Varnish or a CDN)"

    def ready(self):
        from . import signals

        signals.connect()
