"""Which requests are not to be counted: robots (crawlers, link checkers,
mail scanners, scripts) and readers who ask not to be tracked. The one rule
every count uses (the readers' figures' beacon, the digest's click links), so
each leaves out the same requests.

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


def asks_not_to_be_tracked(meta) -> bool:
    """Do Not Track (``DNT: 1``) or Global Privacy Control (``Sec-GPC: 1``)."""
    return (
        meta.get("HTTP_DNT", "").strip() == "1"
        or meta.get("HTTP_SEC_GPC", "").strip() == "1"
    )


def not_counted(meta) -> bool:
    """True for a request (its ``META``) that no count may include."""
    return asks_not_to_be_tracked(meta) or is_robot(meta.get("HTTP_USER_AGENT", ""))
