"""CareerHub settings, read from the environment.

Development works with no environment at all (SQLite, console mail, DEBUG on).
Production differs only by environment variables; see README.md and
deploy/careerhub.env.example. One module per concern, each reading its own
variables: ``DJANGO_SETTINGS_MODULE=careerhub.settings`` gathers them all.
"""

from careerhub.settings.audience import *  # noqa: F403
from careerhub.settings.caches import *  # noqa: F403
from careerhub.settings.core import *  # noqa: F403
from careerhub.settings.database import *  # noqa: F403
from careerhub.settings.frontcache import *  # noqa: F403
from careerhub.settings.mail import *  # noqa: F403
from careerhub.settings.newsletter import *  # noqa: F403
from careerhub.settings.security import *  # noqa: F403
from careerhub.settings.storage import *  # noqa: F403
from careerhub.settings.tasks import *  # noqa: F403
