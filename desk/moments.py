"""How the desk words a moment for editors: one rule for every page, message,
list column and confirmation of the editor's desk and the newsletter's."""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

# "Monday 15 June 2026, 13:00": sentences (state lines, confirmations).
LONG = "l j F Y, H:i"
# "15 Jun 2026, 13:00": list columns, version lists, autosave notes.
SHORT = "j M Y, H:i"


def when(
    moment: datetime,
    editor_tz: zoneinfo.ZoneInfo | None = None,
    *,
    short: bool = False,
) -> str:
    """A moment in the site's time zone, named; in the editor's too when it
    differs. ``short`` for tight places: "15 Jun 2026, 13:00 BST"."""
    local = timezone.localtime(moment)
    if short:
        return f"{date_format(local, SHORT)} {local.tzname()}"
    text = f"{date_format(local, LONG)} {local.tzname()} ({settings.TIME_ZONE})"
    if editor_tz is not None:
        theirs = moment.astimezone(editor_tz)
        if theirs.utcoffset() != local.utcoffset() or theirs.tzname() != local.tzname():
            text += (
                f", which is {date_format(theirs, LONG)} "
                f"{theirs.tzname()} in your time zone ({editor_tz.key})"
            )
    return text
