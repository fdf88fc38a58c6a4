"""Create the local editor account that `make run` prints (development only)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "editor"
PASSWORD = "careerhub-editor"


class Command(BaseCommand):
    help = "Create (or reset) the local 'editor' account. Refuses when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the URL.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The local editor account is for development only.")
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        user.email = "editor@careerhub.example"
        user.is_staff = True
        user.is_superuser = True
        user.set_password(PASSWORD)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Editor login: http://127.0.0.1:{options['port']}/admin/ "
                f"user '{USERNAME}', password '{PASSWORD}'"
            )
        )
