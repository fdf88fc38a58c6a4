from django.apps import AppConfig


class AudienceConfig(AppConfig):
    """Cookieless readership counts: what is read, not who reads it."""

    name = "audience"
    verbose_name = "Readers’ figures"
    default_auto_field = "django.db.models.BigAutoField"
