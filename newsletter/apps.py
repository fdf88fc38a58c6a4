from django.apps import AppConfig
from django.db.models.signals import post_migrate


def start_newsletter_clock(sender, using="default", **kwargs):
    """After every migrate (each deploy, each `make run`), make sure the
    newsletter clock has a waiting run; idempotent (see taskqueue.policy)."""
    from .tasks import start_clock

    if using == "default":
        start_clock()


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            signals,
            tasks,  # noqa: F401 (registers the recurring clock)
        )

        signals.connect()
        try:
            from anymail.signals import inbound, tracking
        except ImportError:  # without the esp extra: no mail service webhooks
            pass
        else:
            from .bounces import on_tracking_event
            from .inbound import on_inbound_mail

            tracking.connect(on_tracking_event, dispatch_uid="newsletter-bounces")
            inbound.connect(on_inbound_mail, dispatch_uid="newsletter-unsubscribe")
        post_migrate.connect(
            start_newsletter_clock, sender=self, dispatch_uid="newsletter-clock"
        )
