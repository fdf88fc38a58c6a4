"""What a log line may carry of a request: one line, nothing that acts on a terminal.

A path, header or form value written into the log as it came could start a
forged log line (``/x%0a[date] FORGED``), rewrite the terminal (ANSI escape
codes) or reorder the text on screen (right-to-left overrides). ``printable``
escapes every such character the way Python writes it in a string literal;
``EscapeControlCharacters`` applies it to every logger's arguments, Django's,
django-axes' (the user agent of a failed login) and the project's own.
"""

import logging


def printable(value, limit: int | None = None) -> str:
    r"""``value`` as one line of printable text (a newline becomes ``\n``).

    Newlines, other control and format characters and line separators are
    escaped (``\n``, ``\x1b``, ``\u202e``). A backslash is not: escaping is
    then idempotent, so text escaped once (by Django's request logger, or a
    call here with a ``limit``) passes the log filter unchanged. Text over
    ``limit`` characters is cut, with an ellipsis.
    """
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


class EscapeControlCharacters(logging.Filter):
    """A handler's filter: each text argument of a record goes through ``printable``.

    Only the arguments are escaped: the message itself is the program's text,
    and tracebacks (formatted by the handler) keep their lines.
    """

    def filter(self, record):
        if isinstance(record.args, dict):
            record.args = {key: _loggable(v) for key, v in record.args.items()}
        elif record.args:
            record.args = tuple(_loggable(arg) for arg in record.args)
        return True


def _loggable(arg):
    if isinstance(arg, str | BaseException):
        return printable(arg)
    return arg
