from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        # Editors know tags as "topics": name taggit's admin section so.
        from django.apps import apps

        apps.get_app_config("taggit").verbose_name = "Topics"

        from . import signals

        signals.connect()
