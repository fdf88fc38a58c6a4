"""Create the local editor account that `make run` prints (development only).

The account is what a real editor gets: staff, in the Editors group, not a
superuser, so trying it shows the role as it is; linked to an author, so the
articles it adds are credited to it without picking one.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from articles import services
from articles.models import Author
from articles.roles import EDITORS, apply_role_permissions, author_of

USERNAME = "editor"
PASSWORD = "careerhub-editor"
AUTHOR_SLUG = "local-editor"


class Command(BaseCommand):
    help = (
        "Create (or reset) the local 'editor' account, in the Editors group. "
        "Refuses when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="Port shown in the URL.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The local editor account is for development only.")
        user, _ = get_user_model().objects.get_or_create(username=USERNAME)
        user.email = "editor@careerhub.example"
        user.is_staff = True
        user.is_superuser = False
        user.is_active = True
        user.set_password(PASSWORD)
        user.save()
        # Permissions of models added since the migration, if any.
        apply_role_permissions()
        user.groups.add(Group.objects.get(name=EDITORS))
        author = link_author(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Editor login: http://127.0.0.1:{options['port']}/admin/ "
                f"user '{USERNAME}', password '{PASSWORD}', writing as {author}"
            )
        )


def link_author(user) -> Author:
    """The editor's author, made and linked the first time."""
    if (author := author_of(user)) is not None:
        return author
    author, _ = Author.objects.get_or_create(
        slug=AUTHOR_SLUG, defaults={"name": "Local Editor", "job_title": "Editor"}
    )
    author.user = user
    services.author_save(author=author)
    return author
