"""One article's figures, for its admin page: views of the last 7 and 30
days with a daily chart, the sign-ups its page brought, its clicks in
editions. Four queries, each on an (article, day) or (edition, article) index.
"""

from django.db.models import Sum
from django.urls import reverse

from audience import figures
from audience.models import SignupDay
from newsletter.models import EditionClick

from . import charts
from .catalogue import may_read

PERIOD = 30
WEEK = 7
EDITIONS = 10


def article_figures(*, article, user) -> dict:
    """What ``user`` may read of the article's figures ({} for nothing)."""
    if article is None or article.pk is None:
        return {}
    context = {}
    if may_read(user, "most-read"):
        context.update(_views(article))
    if may_read(user, "signups"):
        context["signups"] = (
            SignupDay.objects.filter(
                article=article, day__gte=figures.first_day(PERIOD)
            ).aggregate(total=Sum("signups"))["total"]
            or 0
        )
        context["signups_url"] = reverse("admin:audience_signupday_changelist")
    if may_read(user, "last-edition"):
        context["clicks"] = list(
            EditionClick.objects.filter(article=article)
            .select_related("edition")
            .order_by("-edition__started_at", "-edition_id")[:EDITIONS]
        )
    return {"figures": context, "period": PERIOD, "week": WEEK} if context else {}


def _views(article) -> dict:
    daily = figures.article_daily_views(article.pk, PERIOD)
    views = charts.Series("views", "dash-views", [views for _, views in daily])
    return {
        "daily": daily,
        "views_period": sum(views.values),
        "views_week": sum(views.values[-WEEK:]),
        "chart": charts.line_chart(
            id="chart-article-views",
            title=f"Views of this article per day, last {PERIOD} days",
            days=[day for day, _ in daily],
            series=[views],
        ),
    }
