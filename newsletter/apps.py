from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            signals,
            tasks,  # noqa: F401 (registers the recurring clock, which
            # taskqueue starts after every migrate and at each worker's start,
            # and connects the services' hand-overs, newsletter/handoffs.py)
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
