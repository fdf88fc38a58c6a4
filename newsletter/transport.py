"""Handing digest mails to the mail server, and what a failure means.

Only a failure known to have happened before the mail server had the mail is
worth another try. Over SMTP that is anything before the server's ``354``
answer to DATA, and any final reply the server did give (4xx: try again later;
5xx: refused for good). Once the message data is on its way, a timeout or a
dropped connection leaves the outcome unknown: the server may have queued the
mail and only been slow to say so (RFC 5321 allows it ten minutes), so such a
mail is never retried, exactly like a sender killed mid-mail.

A mail service's HTTP API (django-anymail) follows the same rule: an answer
from the service that is an error (any HTTP status, or "recipient refused")
means it did not take the mail, so it is retried (refused: never); failing to
connect means nothing was sent; but a timeout or a connection lost once the
request may have been sent leaves the outcome unknown, never retried.

Other mail backends (console, file, locmem) write locally: when they raise,
nothing went anywhere.
"""

import logging
import re
import smtplib

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from .emails import DigestMail, Recipient
from .models import Delivery

logger = logging.getLogger(__name__)

Failure = Delivery.Failure


class MailServerUnavailable(Exception):
    """The mail server could not be reached: nothing was sent, try again later."""


class NotDelivered(Exception):
    """This mail did not go out (or may have: ``kind`` is UNKNOWN)."""

    def __init__(self, kind: Failure, error: BaseException):
        super().__init__(f"{type(error).__name__}: {error}")
        self.kind = kind


try:  # optional (the esp extra): mail services' HTTP APIs
    import requests
    from anymail.exceptions import AnymailError, AnymailRecipientsRefused
    from urllib3.exceptions import NewConnectionError
except ImportError:  # pragma: no cover
    AnymailError = None

try:  # Amazon SES (boto3): errors that say the service answered (ClientError,
    # whose subclasses name SES's error, e.g. MessageRejected), or was never reached.
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
    )

    BOTO_NOT_SENT = (ClientError, ConnectTimeoutError, EndpointConnectionError)
except ImportError:  # pragma: no cover
    BOTO_NOT_SENT = ()


def failure_kind(error: BaseException) -> Failure:
    """A known failure's kind: a 5xx reply is a refusal, anything else temporary."""
    if AnymailError is not None and isinstance(error, AnymailError):
        return service_failure_kind(error)
    code = smtp_code(error)
    if code is not None and 500 <= code < 600:
        return Failure.REFUSED
    return Failure.TEMPORARY


def service_failure_kind(error: BaseException) -> Failure:
    """A mail service's (anymail's) error: did the service have the mail?"""
    if isinstance(error, AnymailRecipientsRefused):
        return Failure.REFUSED
    if getattr(error, "status_code", None) is not None:
        return Failure.TEMPORARY  # it answered, and not with "accepted"
    if isinstance(error, requests.ConnectTimeout) or _never_sent(error):
        return Failure.TEMPORARY
    return Failure.UNKNOWN  # a read timeout, a dropped connection: maybe sent


def _never_sent(error: BaseException) -> bool:
    """Connection refused, name not found, or the service's own error answer."""
    link = error
    while link is not None:
        if isinstance(link, NewConnectionError) or isinstance(
            getattr(link, "reason", None), NewConnectionError
        ):
            return True
        if isinstance(link, BOTO_NOT_SENT):
            return True
        link = link.__cause__ or link.__context__
    return False


def smtp_code(error: BaseException) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per mail; a temporary refusal wins if there are more.
        return min(code for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code
    return None


def transport_for(mailer) -> "BackendTransport":
    if isinstance(mailer, SMTPBackend):
        return SMTPTransport(mailer)
    return BackendTransport(mailer)


class BackendTransport:
    """Any Django mail backend: one EmailMessage per mail."""

    source = "mailer"  # names this way of sending in bounce records

    def __init__(self, mailer):
        self.mailer = mailer

    def open(self) -> None:
        try:
            self.mailer.open()
        except Exception as error:
            raise MailServerUnavailable(str(error)) from error

    def close(self) -> None:
        try:
            self.mailer.close()
        except Exception:  # a broken connection may fail to say goodbye
            logger.debug("Closing the mail connection failed", exc_info=True)

    def recover(self) -> None:
        """After a failed mail: start again on a fresh connection."""
        self.close()
        self.open()

    def send(self, mail: DigestMail, recipient: Recipient) -> None:
        try:
            if self.mailer.send_messages([mail.message(recipient)]) != 1:
                raise RuntimeError("The mail backend did not accept the message.")
        except Exception as error:
            raise NotDelivered(failure_kind(error), error) from error


# An addr-spec that needs no IDNA or other encoding, checked without the
# (slow) header parser; anything else goes through Django's prep_address.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"
)
LINE_START_DOT = re.compile(rb"^\.", re.MULTILINE)


class SMTPTransport(BackendTransport):
    """Django's SMTP backend's connection, one SMTP transaction per mail.

    The mail's bytes come ready from DigestMail (no serialising per mail),
    and the transaction is run step by step to know whether a failure came
    before or after the message data was handed over.
    """

    source = "smtp"

    def open(self) -> None:
        super().open()
        try:
            self.mailer.connection.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, OSError) as error:
            raise MailServerUnavailable(str(error)) from error
        self.sender = self.mailer.prep_address(settings.DEFAULT_FROM_EMAIL)

    def recover(self) -> None:
        try:
            code, _ = self.mailer.connection.rset()
        except (smtplib.SMTPException, OSError, AttributeError):
            code = None
        if code != 250:
            super().recover()

    def send(self, mail: DigestMail, recipient: Recipient) -> None:
        try:
            address = self.address(recipient.email)
            data = mail.as_bytes(recipient, address=address)
        except ValueError as error:  # an address no mail server could take
            raise NotDelivered(Failure.REFUSED, error) from error
        connection = self.mailer.connection
        try:
            expect(connection.mail(self.sender), 250)
            expect(connection.rcpt(address), 250, 251)
            connection.putcmd("data")
            expect(connection.getreply(), 354)
        except (smtplib.SMTPException, OSError) as error:
            raise NotDelivered(failure_kind(error), error) from error
        # From here on the server has (some of) the mail.
        try:
            connection.send(LINE_START_DOT.sub(b"..", data) + b".\r\n")
            reply = connection.getreply()
        except (smtplib.SMTPException, OSError) as error:
            raise NotDelivered(Failure.UNKNOWN, error) from error
        try:
            expect(reply, 250)
        except smtplib.SMTPResponseException as error:  # the server said no
            raise NotDelivered(failure_kind(error), error) from error

    def address(self, email: str) -> str:
        if PLAIN_ADDRESS.fullmatch(email):
            return email
        return self.mailer.prep_address(email)


def expect(reply: tuple[int, bytes], *codes: int) -> None:
    code, message = reply
    if code not in codes:
        raise smtplib.SMTPResponseException(code, message)
