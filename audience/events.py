"""What one beacon says, read and cleaned: the rules for what a count may
hold (an article's id, a search term, a referring domain), written once.

A beacon is a small form (application/x-www-form-urlencoded, as
static/js/count.js sends it):

- ``page``: what the page is, one of KINDS (without it, no count);
- ``article``: the id of the article read (article pages only);
- ``search`` and ``found``: the search term and "1" or "0" for whether it
  found anything (the first page of search results only);
- ``referrer``: the host of the page the reader came from, when another site.

Anything else is ignored; a beacon that says nothing we know is not
counted, and a field that is not what it should be is dropped; never an
error (a beacon is always answered the same).
"""

import re
from dataclasses import dataclass

from .models import DOMAIN_LENGTH, TERM_LENGTH

# Article ids are positive integers (BigAutoField): up to 19 digits.
ARTICLE_ID = re.compile(r"[1-9][0-9]{0,18}")
# A host name (RFC 1123 labels; IDNs arrive as punycode from URL.host).
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME = re.compile(rf"{LABEL}(?:\.{LABEL})*")
PORT = re.compile(r":[0-9]{1,5}$")
# What a person may type about themselves into a search box: an email
# address, a phone or account number. Such a search is counted with its
# words withheld (WITHHELD), so the figures never keep them.
EMAIL = re.compile(r"\S@\S")
NUMBER_RUN = re.compile(r"[0-9][0-9 ()./+-]*[0-9]")
PERSONAL_DIGITS = 7  # a run with this many digits is a phone or account number
YEAR = re.compile(r"\b(?:19|20)[0-9]{2}\b")  # "2026-2027 salaries" is not one
WITHHELD = "(withheld: an address or number)"
# What a page is: an article, a page of search results, any other page.
ARTICLE, SEARCH, OTHER = "article", "search", "other"
KINDS = frozenset({ARTICLE, SEARCH, OTHER})


@dataclass(frozen=True, slots=True)
class Hit:
    """One counted page view."""

    article_id: int | None = None
    # The normalised search term, or "" when the page was not a search.
    term: str = ""
    found: bool = True
    referrer: str = ""


def normalise_term(text: str) -> str:
    """A search term as counted: casefolded, whitespace collapsed, cut to
    TERM_LENGTH characters ("  Job  Interview " -> "job interview"); a
    term with an email address or a long number in it is WITHHELD."""
    term = " ".join(text.casefold().split())
    if is_personal(term):
        return WITHHELD
    return term[:TERM_LENGTH].rstrip()


def is_personal(term: str) -> bool:
    """An email address, or a run of numbers with PERSONAL_DIGITS digits or
    more ("020 7946 0958"; not "2026-2027" or "top 10")."""
    return bool(EMAIL.search(term)) or any(
        sum(char.isdigit() for char in run) >= PERSONAL_DIGITS
        for run in NUMBER_RUN.findall(YEAR.sub(" ", term))
    )


def domain_of(host: str) -> str:
    """``host`` as a referring domain: lowercase, no port, no "www."; "" when
    it is not a host name."""
    host = PORT.sub("", (host or "").strip().lower()).rstrip(".")
    host = host.removeprefix("www.")
    if len(host) > DOMAIN_LENGTH or not HOST_NAME.fullmatch(host):
        return ""
    return host


def article_id_of(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if ARTICLE_ID.fullmatch(value) else None


def parse(data, *, own_domains: frozenset[str]) -> Hit | None:
    """The Hit a beacon's form ``data`` (a QueryDict or dict) describes, or
    None when it is not a beacon of ours (no known kind of page, an article
    page without an article id).

    A referrer among ``own_domains`` (our own site, as domain_of gives it) is
    no referrer: readers moving between our pages.
    """
    kind = data.get("page", "")
    if kind not in KINDS:
        return None
    article_id = article_id_of(data.get("article", "")) if kind == ARTICLE else None
    if kind == ARTICLE and article_id is None:
        return None
    referrer = domain_of(data.get("referrer", ""))
    return Hit(
        article_id=article_id,
        term=normalise_term(data.get("search", "")) if kind == SEARCH else "",
        found=data.get("found", "1") != "0",
        referrer="" if referrer in own_domains else referrer,
    )
