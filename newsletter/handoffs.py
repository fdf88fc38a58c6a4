"""Work the newsletter's services hand to the task worker, without importing it.

Tasks are the top of the newsletter: tasks.py imports the services, never the
reverse. A service that wants work done in the background sends one of these
signals; tasks.py connects the receivers that enqueue the tasks, and the app
imports tasks.py when it is ready (newsletter/apps.py), so every send reaches
them.
"""

from django.dispatch import Signal

# subscriber=, force=: mail a confirmation link (tasks.send_confirmation).
confirmation_wanted = Signal()

# subscriber_ids=: mail each pending one a confirmation link, one task for
# many (an import's chunk; tasks.send_confirmations).
confirmations_wanted = Signal()
# subscriber=: mail the welcome for a confirmation just made
# (tasks.send_welcome).
welcome_wanted = Signal()

# edition=, when=: send an edition at ``when``, now if None
# (tasks.enqueue_sending).
sending_wanted = Signal()
