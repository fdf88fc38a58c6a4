import importlib.util
import re

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


@register(Tags.mail)
def check_lease_outlasts_a_mail(app_configs, **kwargs):
    """A sender renews its lease between mails; one mail must not outlast it,
    or another sender would take over (and record as unknown) a mail still
    being handed over."""
    options = settings.MAILERS.get("default", {}).get("OPTIONS", {})
    # Amazon SES (anymail's boto3 client) has its timeout in the client config.
    config = options.get("client_params", {}).get("config", {})
    timeout = options.get("timeout")
    if timeout is None and isinstance(config, dict):
        timeout = config.get("read_timeout")
    lease = settings.NEWSLETTER_CLAIM_TIMEOUT
    if timeout is None or lease >= 3 * timeout:
        return []
    return [
        Error(
            f"NEWSLETTER_CLAIM_TIMEOUT ({lease} s) is less than three times the "
            f"mail server timeout ({timeout} s).",
            hint="Raise NEWSLETTER_CLAIM_TIMEOUT or lower the timeout in EMAIL_URL.",
            id="newsletter.E002",
        )
    ]


MAILBOX = re.compile(r"[A-Za-z0-9.!#$%&'*/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@register(Tags.mail)
def check_unsubscribe_mailbox(app_configs, **kwargs):
    """A mailto in List-Unsubscribe must lead somewhere: to anymail's inbound
    webhook, which needs the webhook secret (newsletter/inbound.py)."""
    mailbox = settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX
    if not mailbox:
        return []
    if not MAILBOX.fullmatch(mailbox):
        problem = f"is not a plain address without '+' ({mailbox!r})"
    elif not importlib.util.find_spec("anymail"):
        problem = "needs django-anymail (pip install '.[esp]')"
    elif not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
        problem = "needs ANYMAIL_WEBHOOK_SECRET (the inbound webhook is off)"
    else:
        return []
    return [
        Error(
            f"NEWSLETTER_UNSUBSCRIBE_MAILBOX {problem}.",
            hint="Set it to the mailbox whose mail the mail service posts to "
            "/newsletter/esp/<service>/inbound/, or leave it empty.",
            id="newsletter.E003",
        )
    ]


@register()
def check_unconfirmed_outlive_their_link(app_configs, **kwargs):
    """A sign-up is kept at least as long as its confirmation link works, so
    a link still valid never finds its sign-up deleted (newsletter/retention.py)."""
    days = settings.NEWSLETTER_UNCONFIRMED_DAYS
    link_days = settings.NEWSLETTER_CONFIRM_MAX_AGE / 86400
    if days >= link_days and days >= 1:
        return []
    return [
        Error(
            f"NEWSLETTER_UNCONFIRMED_DAYS ({days}) is shorter than a confirmation "
            f"link works ({link_days:g} days, NEWSLETTER_CONFIRM_MAX_AGE).",
            hint="Raise NEWSLETTER_UNCONFIRMED_DAYS (30 by default).",
            id="newsletter.E004",
        )
    ]
