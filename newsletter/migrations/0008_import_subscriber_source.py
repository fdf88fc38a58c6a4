import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0007_subscriber_topics_pause_and_settings"),
        ("subscriber_imports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="source_import",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The CSV import this address came from (none: the sign-up form).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="subscribers",
                to="subscriber_imports.subscriberimport",
                verbose_name="imported by",
            ),
        ),
    ]
