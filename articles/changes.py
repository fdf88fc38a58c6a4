"""Changes to content that no model signal reports.

A write through ``QuerySet.update()`` (image renditions, related lists made by
the task worker) sends no ``post_save``: the task sends ``content_updated``
instead, and whatever shows content (the page cache, reader/signals.py)
listens, so the content room never imports the rooms built on it.
"""

from django.dispatch import Signal

# Sent with the model as sender once what pages show has changed.
content_updated = Signal()
