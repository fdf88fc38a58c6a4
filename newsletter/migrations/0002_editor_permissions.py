"""Give the Editors group the newsletter's permissions (Writers get none)."""

from django.db import migrations

from articles.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("articles", "0004_publish_permission"),
    ]

    operations = [
        migrations.RunPython(apply_role_permissions, migrations.RunPython.noop),
    ]
