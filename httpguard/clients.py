"""Who is asking: the client's address, for rate limits and login lockouts."""

from django.conf import settings

MAX_ADDRESS_LENGTH = 64


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or the proxy's header if trusted.

    Behind a proxy every request comes from the proxy's address. Only when the
    operator names the header their proxy sets (CLIENT_IP_HEADER, e.g.
    HTTP_X_REAL_IP) is it read; a client could send X-Forwarded-For itself, so
    no header is believed by default. For a list (X-Forwarded-For) the last
    entry is taken: the one the operator's proxy added.
    """
    header = settings.CLIENT_IP_HEADER
    value = request.META.get(header, "") if header else ""
    value = value.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
    return value[:MAX_ADDRESS_LENGTH]
