"""The dashboard's tables as CSV: ``/admin/dashboard/<table>.csv?days=N``."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.views.decorators.http import require_safe

from newsletter.exports import csv_cell

from .catalogue import TABLES
from .tables import name_articles, plain

# Figures are kept two years by default; ten is more than any setting keeps.
MAX_DAYS = 3660
# Rows in a download: every row of a short table, the top of a long one.
CSV_LIMIT = 1000


def parse_days(raw: str | None, default: int | None) -> int | None:
    """``days`` from the query string; ValueError when it is not 1–MAX_DAYS."""
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        raise ValueError(raw)
    return int(raw)


@require_safe
def table_csv(request, name: str):
    """One table of the dashboard, as the user may see it, as CSV (staff
    only: the admin site's login wraps this view)."""
    kind = TABLES.get(name)
    if kind is None:
        raise Http404("No such table.")
    if not kind.allowed(request.user):
        raise PermissionDenied
    if set(request.GET) - {"days"}:
        return HttpResponseBadRequest("Only “days” may be given.")
    try:
        days = parse_days(request.GET.get("days"), kind.default_days)
    except ValueError:
        return HttpResponseBadRequest(f"“days” is a whole number from 1 to {MAX_DAYS}.")
    now = timezone.now()
    table = kind.build(user=request.user, now=now, days=days, limit=CSV_LIMIT)

    name_articles([table])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate(now).isoformat()
    period = f"-{days}d" if days else ""
    response["Content-Disposition"] = (
        f'attachment; filename="{name}{period}-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([csv_cell(plain(value)) for value in row])
    return response
