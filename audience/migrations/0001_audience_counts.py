"""The readers' figures (issue 23), and the Editors group's permissions on
them (every permission of this app, as articles/roles.py EDITOR_APPS
declares; the admin lets nobody add, change or delete a count, and shows no
visitor mark or day salt). Writers get none."""

import django.core.validators
import django.db.models.deletion
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here: a later change of articles/roles.py must not change this.
EDITORS = "Editors"


def _granted(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(content_type__app_label="audience")


def grant_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config("audience"), apps=apps, verbosity=0, using=using
    )
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*_granted(apps, using))


def revoke_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_granted(apps, using))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0018_media_media_library"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="AudienceSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "keep_days",
                    models.PositiveIntegerField(
                        default=730,
                        help_text="Daily figures are kept this many days, then deleted. The privacy page tells readers this number.",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
            ],
            options={
                "verbose_name": "readers' figures settings",
                "verbose_name_plural": "readers' figures settings",
            },
        ),
        migrations.CreateModel(
            name="DaySalt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField(unique=True)),
                ("salt", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="SiteDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField(unique=True)),
                (
                    "views",
                    models.PositiveIntegerField(
                        db_default=0,
                        default=0,
                        help_text="Pages read that day (every page, not only articles).",
                    ),
                ),
                (
                    "visitors",
                    models.PositiveIntegerField(
                        db_default=0,
                        default=0,
                        help_text="Different readers that day, estimated: one browser on one connection counts once.",
                    ),
                ),
                (
                    "signups",
                    models.PositiveIntegerField(
                        db_default=0,
                        default=0,
                        help_text="Newsletter subscriptions confirmed that day.",
                    ),
                ),
            ],
            options={
                "verbose_name": "site's day",
                "verbose_name_plural": "site's days",
            },
        ),
        migrations.CreateModel(
            name="ReferrerDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("domain", models.CharField(max_length=253)),
                ("views", models.PositiveIntegerField(db_default=0, default=0)),
            ],
            options={
                "verbose_name": "referrer's day",
                "verbose_name_plural": "referrers' days",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "domain"), name="audience_referrer_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SearchDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("term", models.CharField(max_length=100)),
                ("searches", models.PositiveIntegerField(db_default=0, default=0)),
                (
                    "empty",
                    models.PositiveIntegerField(
                        db_default=0,
                        default=0,
                        help_text="How many of these searches had no results.",
                    ),
                ),
            ],
            options={
                "verbose_name": "search term's day",
                "verbose_name_plural": "search terms' days",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "term"), name="audience_search_day"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="VisitorMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("digest", models.CharField(max_length=32)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "digest"), name="audience_visitor_mark"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ArticleDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("views", models.PositiveIntegerField(db_default=0, default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "article's day",
                "verbose_name_plural": "articles' days",
                "indexes": [
                    models.Index(
                        fields=["article", "day"],
                        include=["views"],
                        name="audience_ar_article_94eb59_idx",
                    ),
                    models.Index(
                        fields=["day"],
                        include=["article", "views"],
                        name="audience_article_day_views",
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "article"),
                        name="audience_article_day",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SignupDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField()),
                ("signups", models.PositiveIntegerField(db_default=0, default=0)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "verbose_name": "sign-ups' day",
                "verbose_name_plural": "sign-ups' days",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "article"), name="audience_signup_day"
                    )
                ],
            },
        ),
        migrations.RunPython(grant_editors, revoke_editors),
    ]
