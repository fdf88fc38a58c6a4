"""Tasks for the queue's tests (a worker imports them by path)."""

from django.tasks import task

RUNS = []


@task()
def always_fails():
    raise RuntimeError("The mail server said no")


@task()
def records_a_run(label: str):
    RUNS.append(label)
