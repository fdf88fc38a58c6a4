from django.apps import AppConfig


class FreshnessConfig(AppConfig):
    name = "freshness"
    verbose_name = "Page freshness"
    default_auto_field = "django.db.models.BigAutoField"
