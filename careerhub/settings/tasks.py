"""Background tasks (Django's tasks framework; see README.md, "Background work")."""

from careerhub.settings.env import env_int

# Tasks are rows in the database; `manage.py db_worker` runs them.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}
# Runs of a failing task (the first included) before it stays failed, and the
# wait before the first retry (doubled before each next one).
TASKS_MAX_ATTEMPTS = env_int("TASKS_MAX_ATTEMPTS", 3)
TASKS_RETRY_DELAY = env_int("TASKS_RETRY_DELAY", 60)
# A task still "running" after this many seconds lost its worker (killed or
# crashed): it is marked failed and retried. Every task here is shorter.
TASKS_STALE_AFTER = env_int("TASKS_STALE_AFTER", 300)
# Seconds between runs of the newsletter clock (creates the weekly edition,
# sends what is due, recovers stalled tasks), and the longest one sending
# task runs before it hands over to a fresh one (other tasks get a turn).
NEWSLETTER_CLOCK_SECONDS = env_int("NEWSLETTER_CLOCK_SECONDS", 60)
NEWSLETTER_SEND_SLICE_SECONDS = env_int("NEWSLETTER_SEND_SLICE_SECONDS", 30)
# Sending tasks an edition keeps waiting or running at once: every free
# worker takes one, so keep it above the number of workers (the spare ones
# wait in the queue and replace a slice that ends or a worker that dies).
NEWSLETTER_SENDING_TASKS = env_int("NEWSLETTER_SENDING_TASKS", 4)
