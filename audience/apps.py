from django.apps import AppConfig


class AudienceConfig(AppConfig):
    """Cookieless readership counts: what is read, not who reads it."""

    name = "audience"
    verbose_name = "Readers’ figures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from newsletter.handoffs import welcome_wanted

        from . import tasks  # noqa: F401 (registers the recurring housekeeping)
        from .models import AudienceSettings
        from .signups import on_confirmed

        # A confirmation (one welcome per confirmation) is a sign-up.
        welcome_wanted.connect(on_confirmed, dispatch_uid="audience-signups")
        # The privacy page states keep_days: cached pages go stale.
        post_save.connect(
            _settings_changed, sender=AudienceSettings, dispatch_uid="audience-pc"
        )


def _settings_changed(sender, **kwargs):
    from reader import pagecache

    if not kwargs.get("raw"):
        pagecache.invalidate()
