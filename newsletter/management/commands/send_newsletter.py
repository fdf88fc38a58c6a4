"""Create the week's edition when due and send what is due. Run from cron.

Safe every few minutes and in several processes at once: creating is
idempotent and senders never share a delivery. SIGTERM or Ctrl-C lets the
mail being sent finish, hands the rest back and exits; the next run goes on.
"""

import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from newsletter import delivery, editions


class Command(BaseCommand):
    help = "Create this week's newsletter edition when due and send due editions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="Mails per batch and connection (default NEWSLETTER_BATCH_SIZE).",
        )
        parser.add_argument(
            "--no-create",
            action="store_true",
            help="Only send; do not create the week's edition.",
        )

    def handle(self, *args, **options):
        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        previous = {
            signum: signal.signal(signum, request_stop)
            for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.run(options, should_stop=lambda: bool(stop_requested))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def run(self, options, *, should_stop):
        if not options["no_create"]:
            edition = editions.edition_create_due()
            if edition:
                when = localtime(edition.scheduled_for)
                self.stdout.write(
                    f"Created edition {edition.pk} “{edition.subject}”, "
                    f"scheduled for {when:%Y-%m-%d %H:%M %Z}."
                )
        try:
            results = editions.editions_send_due(
                batch_size=options["batch_size"], should_stop=should_stop
            )
        except delivery.MailServerUnavailable as error:
            raise CommandError(
                f"Could not connect to the mail server ({error}). Nothing was lost; "
                "the next run continues."
            ) from error
        for edition, report in results:
            state = (
                "finished"
                if report.finished
                else "stopped"
                if report.stopped
                else "in progress"
            )
            self.stdout.write(
                f"Edition {edition.pk}: {report.sent} sent, {report.failed} failed, "
                f"{report.to_retry} to retry later, {report.skipped} skipped "
                f"({state}; counted in mails)."
            )
