"""The bench's production settings, plus a line per batch the readers'
figures write (audience.flush logs it at DEBUG), for `make bench-beacon`."""

from benchmarks.settings import *  # noqa: F403
from benchmarks.settings import LOGGING

LOGGING = {
    **LOGGING,
    "loggers": {
        **LOGGING.get("loggers", {}),
        "audience.flush": {
            "handlers": ["console"],
            "level": "DEBUG",
            "propagate": False,
        },
    },
}
