"""An editable description per topic (taggit tag), in a side table."""

import django.db.models.deletion
from django.db import migrations, models

from articles.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_publish_permission"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicDescription",
            fields=[
                (
                    "tag",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="topic_description",
                        serialize=False,
                        to="taggit.tag",
                        verbose_name="topic",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="A sentence or two under the topic's name on its page and in the topics index: what readers find here.",
                        max_length=300,
                    ),
                ),
            ],
            options={
                "verbose_name": "topic description",
            },
        ),
        # Editors may edit the new descriptions.
        migrations.RunPython(apply_role_permissions, migrations.RunPython.noop),
    ]
