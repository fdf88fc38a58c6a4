"""A development mail backend: the console, readable."""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ReadableConsoleBackend(DjangoConsoleBackend):
    """The console backend for development, with bodies decoded.

    Django prints the raw MIME message, where long lines are quoted-printable
    ("=" at line ends, "=3D" for "="), so links copied from the terminal break.
    This prints the headers, then each text part as plain text.
    """

    def write_message(self, message):
        msg = message.message()
        for name, value in msg.items():
            self.stream.write(f"{name}: {value}\n")
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                self.stream.write(f"\n----- {part.get_content_type()} -----\n")
                self.stream.write(part.get_content().rstrip("\n") + "\n")
        self.stream.write("-" * 79 + "\n")
