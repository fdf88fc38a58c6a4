from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The editor's dashboard: the admin's front page (templates/admin/index.html
    asks for it with ``{% dashboard %}``) and the figures on an article's page."""

    name = "dashboard"
    verbose_name = "Editor’s dashboard"

    def ready(self):
        from . import tasks  # noqa: F401 (registers the recurring refresh of its sums)
