"""Which keys a change touches, with the queries that find out: the rules
themselves are ``reader.front_keys``'s."""

from taggit.models import Tag

from articles.models import Article
from reader import front_keys


def _topic_pks(article) -> list[int]:
    return list(Tag.objects.filter(article__pk=article.pk).values_list("pk", flat=True))


def article_keys(article) -> set[str]:
    """The keys an article touches as it is in the database now."""
    return front_keys.touched_by_article(
        pk=article.pk, author_pk=article.author_id, topic_pks=_topic_pks(article)
    )


def article_pk_keys(pk) -> set[str]:
    found = Article.objects.filter(pk=pk).only("pk", "author_id").first()
    if found is None:
        return front_keys.touched_by_article(pk=pk, author_pk=None, topic_pks=())
    return article_keys(found)


def author_keys(pk) -> set[str]:
    topics = (
        Tag.objects.filter(article__author_id=pk, article__in=Article.objects.live())
        .values_list("pk", flat=True)
        .distinct()
    )
    return front_keys.touched_by_author(pk=pk, topic_pks=list(topics))


def topic_keys(pk) -> set[str]:
    authors = (
        Article.objects.live()
        .filter(tags__pk=pk)
        .values_list("author_id", flat=True)
        .distinct()
    )
    return front_keys.touched_by_topic(pk=pk, author_pks=list(authors))
