from django.apps import AppConfig


class AudienceConfig(AppConfig):
    """Cookieless readership counts: what is read, not who reads it."""

    name = "audience"
    verbose_name = "Readers’ figures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsletter.handoffs import welcome_wanted

        from . import tasks  # noqa: F401 (registers the recurring housekeeping)
        from .signups import on_confirmed

        # A confirmation (one welcome per confirmation) is a sign-up.
        welcome_wanted.connect(on_confirmed, dispatch_uid="audience-signups")
