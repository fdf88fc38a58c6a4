"""Which clients are robots (crawlers, link checkers, mail scanners, scripts):
the one rule every count uses, so a robot is left out of them all alike.

The patterns are crawler-user-agents' (the list search engines, monitors and
CDNs are known by, kept up to date by its maintainers); a request with no
user agent at all is a script too.
"""

from functools import lru_cache

import crawleruseragents

# User agents repeat: the same few browsers make most requests.
_CACHED_AGENTS = 4096


@lru_cache(maxsize=_CACHED_AGENTS)
def is_robot(user_agent: str) -> bool:
    """True when ``user_agent`` (a request's User-Agent) is not a person's browser."""
    agent = (user_agent or "").strip()
    return not agent or crawleruseragents.is_crawler(agent)
