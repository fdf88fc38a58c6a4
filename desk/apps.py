from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    verbose_name = "Editor's desk"

    def ready(self):
        from . import (
            tasks,  # noqa: F401 (registers the recurring staged-upload sweep)
            versions,
        )

        versions.register()
