"""A mail backend for sending tests: records every mail, thread-safely, and
can simulate a sender dying (a BaseException no ``except Exception`` catches)
or a mail server refusing some recipients."""

import smtplib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.mail.backends.base import BaseEmailBackend


class SimulatedKill(BaseException):
    """The process died here (like SIGKILL): nothing after it runs."""


@dataclass
class Recorder:
    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list = field(default_factory=list)
    # Die when handing over mail number N (1-based): before or after it left.
    kill_at: int | None = None
    kill_after_delivery: bool = True
    # Addresses whose mails the server refuses, how many times, and with what
    # reply: 550 (no such user, final) or a 4xx (try again later).
    refuse: dict[str, int] = field(default_factory=dict)
    refuse_code: int = 550
    down: bool = False
    after_send: Callable[[int], None] | None = None
    handed_over: int = 0

    @property
    def recipients(self) -> Counter:
        return Counter(to for message in self.messages for to in message.to)


RECORDER = Recorder()


class CountingBackend(BaseEmailBackend):
    def open(self):
        if RECORDER.down:
            raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        sent = 0
        for message in email_messages:
            message.message()  # build it, as real backends do (header checks)
            (to,) = message.recipients()
            if RECORDER.down:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            with RECORDER.lock:
                if RECORDER.refuse.get(to, 0) > 0:
                    RECORDER.refuse[to] -= 1
                    reply = b"No such user" if RECORDER.refuse_code >= 500 else b"Busy"
                    raise smtplib.SMTPRecipientsRefused(
                        {to: (RECORDER.refuse_code, reply)}
                    )
                RECORDER.handed_over += 1
                number = RECORDER.handed_over
                if number == RECORDER.kill_at and not RECORDER.kill_after_delivery:
                    raise SimulatedKill
                RECORDER.messages.append(message)
                if number == RECORDER.kill_at:
                    raise SimulatedKill
            sent += 1
            if RECORDER.after_send:
                RECORDER.after_send(number)
        return sent
