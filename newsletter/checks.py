from django.conf import settings
from django.core.checks import Error, Tags, register

DEVELOPMENT_BACKENDS = {"careerhub.console_mail.ReadableConsoleBackend"}


@register(Tags.mail, deploy=True)
def check_no_development_mailer(app_configs, **kwargs):
    """Django's own check (mail.E001) does not know our console backend."""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    if backend not in DEVELOPMENT_BACKENDS:
        return []
    return [
        Error(
            f"The default mailer prints mail to the console ({backend}): "
            "nobody would receive confirmations or digests.",
            hint="Set EMAIL_URL to an SMTP server (smtp://user:pass@host:587).",
            id="newsletter.E001",
        )
    ]
