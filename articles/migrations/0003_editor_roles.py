"""Create the Editors and Writers groups with their permissions."""

from django.db import migrations

from articles.roles import apply_role_permissions, remove_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_discovery_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.RunPython(apply_role_permissions, remove_role_groups),
    ]
