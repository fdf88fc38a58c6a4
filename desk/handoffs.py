"""Work the desk's services hand to the task worker, without importing it
(as newsletter/handoffs.py: tasks.py connects the receivers)."""

from django.dispatch import Signal

# step=: mail what a review step says to whom it concerns
# (tasks.send_review_mail).
review_mail_wanted = Signal()
