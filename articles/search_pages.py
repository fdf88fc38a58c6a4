"""Search results a page at a time (see articles/search.py for the matching).

``ResultPages`` ranks, counts and pages in one query; when PostgreSQL ranked
only the best candidates of a common word, the count is an ``estimate``
("about N results") sampled from how far back the newest matches reached.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window

from . import search


class ResultPages(Paginator):
    """Search results a page at a time, counted in the query that ranks them.

    The page's query ranks every match anyway, so it also counts them
    (``COUNT(*) OVER ()``) and returns only the page's ids; a separate count
    would read every match a second time (a third of the page's SQL with 2,000
    matches). ``load(ids)`` then fetches the page's rows, in any order.

    A page past the last has no rows to count with: it is an ``EmptyPage``, as
    Django's own paginator would say. A ranking that runs too long is cancelled
    (``search.TooSlow``).
    """

    # Offsets beyond this cannot hold results and would overflow the database.
    MAX_OFFSET = 2**31 - 1
    # The number of matches when only the best candidates were ranked (see
    # ``_full_text``), shown as "about N results"; None when ``count`` is all.
    estimate = None

    def __init__(self, matches, per_page, *, load, **kwargs):
        super().__init__(matches, per_page, **kwargs)
        if self.orphans:
            raise ValueError("ResultPages does not merge orphans into the last page.")
        self.load = load

    def page(self, number):
        number = self._page_number(number)
        bottom = (number - 1) * self.per_page
        sampled = "sample_oldest" in self.object_list.query.annotations
        columns = ("sample_oldest", "live_newest") if sampled else ()
        with search.time_limit(self.object_list):
            ranked = list(
                self.object_list.annotate(total=Window(Count("pk"))).values_list(
                    "pk", "total", *columns
                )[bottom : bottom + self.per_page]
            )
        # ``count`` is a cached property: set here, it is never queried.
        if ranked:
            self.count = ranked[0][1]
            if sampled and self.count >= search.CANDIDATES:
                self.estimate = estimate(search.CANDIDATES, *ranked[0][2:])
        elif number == 1 and self.allow_empty_first_page:
            self.count = 0
        else:
            raise EmptyPage(self.error_messages["no_results"])
        by_id = {row.pk: row for row in self.load([pk for pk, *_ in ranked])}
        rows = [by_id[pk] for pk, *_ in ranked if pk in by_id]
        return self._get_page(rows, number, self)

    def _page_number(self, number) -> int:
        """``number`` as a page number, as ``validate_number`` would read it
        (that one counts every match first, to check the upper bound)."""
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if (number - 1) * self.per_page > self.MAX_OFFSET:
            raise EmptyPage(self.error_messages["no_results"])
        return number


def estimate(sampled: int, oldest: int | None, newest: int | None) -> int:
    """Matches in all live articles, from ``sampled`` matches found among the
    newest ones: live articles are list positions 1..``newest``, the sample
    reached back to ``oldest``, and the rest is assumed alike. Two
    significant figures: it is an estimate."""
    if not oldest or not newest or oldest > newest:
        return sampled
    guess = max(sampled, round(sampled * newest / (newest - oldest + 1)))
    return int(float(f"{guess:.2g}"))
