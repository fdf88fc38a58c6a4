from django.apps import AppConfig


class HttpGuardConfig(AppConfig):
    name = "httpguard"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)

        # django.contrib.admin, installed earlier, has loaded every app's
        # admin module by now (its own ready() autodiscovers them).
        from .admin_lists import harden_registered_admins

        harden_registered_admins()

        from .ids import harden_object_ids

        harden_object_ids()
