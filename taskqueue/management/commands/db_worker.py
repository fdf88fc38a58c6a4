"""django-tasks-db's `db_worker`, with CareerHub's start-up steps first.

This app comes before django_tasks_db in INSTALLED_APPS, so this command is
the one `manage.py db_worker` runs. Before taking tasks it:

- puts back in the queue what a previous run of the same worker id was
  running when it died (give each worker a stable id, as the systemd unit
  does with ``--worker-id %H-%i``; other lost tasks are found after
  TASKS_STALE_AFTER);
- makes sure every recurring task has a waiting run (idempotent).
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from taskqueue import policy


class Command(DbWorker):
    help = DbWorker.help + ", after recovering its own lost tasks"

    def handle(self, *args, **options):
        self.start_up(options["worker_id"])
        super().handle(*args, **options)

    def start_up(self, worker_id: str) -> None:
        recovered = policy.recover_lost_by(worker_id)
        if recovered:
            self.stdout.write(
                f"Recovered {recovered} task(s) this worker was running when it "
                "stopped."
            )
        for task in policy.start_recurring():
            self.stdout.write(f"Started the recurring task {task.name}.")
