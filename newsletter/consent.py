"""The consent text shown beside the sign-up form, versioned.

Each subscriber records the version they saw. Never edit a published text:
add a new version and make it current, so old records keep their meaning.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Consent:
    version: str
    text: str


TEXTS = {
    "2026-06": (
        "We will email you our weekly digest of new articles and nothing else. "
        "We keep your address only for that, never share it, and every mail "
        "has a link to unsubscribe in one click."
    ),
}
CURRENT_VERSION = "2026-06"


def current() -> Consent:
    return Consent(CURRENT_VERSION, TEXTS[CURRENT_VERSION])


def known_or_current(version: str) -> str:
    """The version a form says it showed, if we know it; else the current one.

    A page cached before a new version was published still shows (and posts)
    the old version, which is then what the reader agreed to.
    """
    return version if version in TEXTS else CURRENT_VERSION
