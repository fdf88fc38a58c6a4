"""django-axes' database handler, with a success that clears only its own failures."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username


class OwnFailuresHandler(AxesDatabaseHandler):
    """A successful login forgives that username's failures from that address.

    Axes' own reset (AXES_RESET_ON_SUCCESS) deletes every attempt that any
    lockout parameter matches, the address's failures against other usernames
    included: anyone with an account could then guess at an editor's
    password forever, logging in as themselves between rounds. The address's
    count of failures against other usernames is kept.
    """

    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        if not username or not address:
            return 0  # reset_attempts would read a missing one as "any"
        return self.reset_attempts(ip_address=address, username=username)
