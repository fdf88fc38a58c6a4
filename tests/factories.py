from datetime import UTC, datetime, timedelta

import factory
from django.contrib.auth import get_user_model

from articles.models import Article, Author
from articles.services import article_write

# A fixed "now" for tests that travel in time.
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    job_title = "Career coach"
    bio = "Writes about careers."


class ArticleFactory(factory.django.DjangoModelFactory):
    """A live article by default; pass status/published_at for other states."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    author = factory.SubFactory(AuthorFactory)
    body = "## A heading\n\nSome useful advice about careers and interviews.\n"
    status = Article.Status.PUBLISHED
    # Each article a little newer than the one before, all in the past.
    published_at = factory.Sequence(
        lambda n: datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(hours=n)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Stored as every writer stores an article: with what derives from it.
        return article_write(article=model_class(*args, **kwargs))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class DraftArticleFactory(ArticleFactory):
    """An article an editor has not published: no publish date."""

    status = Article.Status.DRAFT
    published_at = None


class ScheduledArticleFactory(ArticleFactory):
    """Published with a date a week after NOW: freeze time at NOW to use it."""

    published_at = factory.Sequence(
        lambda n: NOW + timedelta(days=7) + timedelta(minutes=n)
    )


def _joins(group_name: str):
    def join(user, create, extracted, **kwargs):
        if create:
            from django.contrib.auth.models import Group

            user.groups.add(Group.objects.get(name=group_name))

    return factory.PostGeneration(join)


class EditorFactory(UserFactory):
    """An admin login in the Editors group (created by a migration)."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True
    role = _joins("Editors")


class WriterFactory(UserFactory):
    """A login in the Writers group, with the author profile it writes as."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True
    role = _joins("Writers")
    author = factory.RelatedFactory(
        AuthorFactory,
        factory_related_name="user",
        name=factory.SelfAttribute("..username"),
    )


# Newsletter ------------------------------------------------------------------
class SubscriberFactory(factory.django.DjangoModelFactory):
    """A confirmed subscriber by default; pass status for other states."""

    class Meta:
        model = "newsletter.Subscriber"

    email = factory.Sequence(lambda n: f"reader{n}@example.com")
    status = "confirmed"
    consent_version = "2026-06"
    source = "/articles/some-article/"
    signed_up_at = factory.LazyFunction(lambda: NOW - timedelta(days=3))
    confirmed_at = factory.LazyAttribute(
        lambda s: NOW - timedelta(days=2) if s.status == "confirmed" else None
    )


class EditionFactory(factory.django.DjangoModelFactory):
    """A draft edition; pass status/scheduled_for/articles for others."""

    class Meta:
        model = "newsletter.Edition"
        skip_postgeneration_save = True

    subject = factory.Sequence(lambda n: f"Weekly digest {n}")
    intro = "Hello readers.\n\nHere is what we wrote this week."

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        if create and extracted:
            from newsletter.models import EditionArticle

            EditionArticle.objects.bulk_create(
                EditionArticle(edition=self, article=article, position=position)
                for position, article in enumerate(extracted, start=1)
            )


def make_subscribers(count, status="confirmed", name="reader"):
    """``count`` subscribers in one insert (lists too long for the factory):
    ``{name}{n}@example.com`` with token ``{name}-token-{n:05d}-xxx...``."""
    from newsletter.models import Subscriber

    return Subscriber.objects.bulk_create(
        Subscriber(
            email=f"{name}{n}@example.com",
            status=status,
            consent_version="2026-06",
            token=f"{name}-token-{n:05d}-" + "x" * 20,
        )
        for n in range(count)
    )
