"""Share links that load nothing from the networks until a reader uses one.

Each is the plain address of a network's own share page (or a ``mailto:``),
an ordinary link: no script, image, frame or font of theirs is on our pages,
so a reader who does not share tells nobody they read the article. Phones get
the system share sheet besides (``static/js/share.js``, same origin, within
the content security policy).
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class ShareLink:
    name: str  # shown; read out as "Share <how> <name>"
    url: str
    how: str = "on"


def share_links(url: str, title: str) -> list[ShareLink]:
    """The share links for the page at ``url`` (absolute) called ``title``."""
    return [
        ShareLink(
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": url}),
        ),
        ShareLink(
            "X", "https://x.com/intent/tweet?" + urlencode({"text": title, "url": url})
        ),
        ShareLink(
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        # Mail programs read %20 as a space, not "+" (RFC 6068).
        ShareLink(
            "Email",
            "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote),
            how="by",
        ),
    ]
