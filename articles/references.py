"""Turn "Read more" references written with slugs into stable ids."""

from .models import Article
from .rendering import READ_MORE_LINE, read_more_references


def resolve_read_more(body: str) -> tuple[str, list[str]]:
    """Rewrite ``[[read-more:slug]]`` lines to ``[[read-more:ID]]``.

    Returns the new body and the references that match no article (by id,
    current slug or former slug), so a form can name them to the editor.
    """
    refs = set(read_more_references(body))
    if not refs:
        return body, []
    ids = {int(ref) for ref in refs if ref.isdigit()}
    slugs = {ref for ref in refs if not ref.isdigit()}
    by_slug = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    by_old_slug = dict(
        Article.objects.filter(slug_redirects__old_slug__in=slugs).values_list(
            "slug_redirects__old_slug", "pk"
        )
    )
    existing_ids = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = []

    def replace(match):
        ref = match.group(1)
        if ref.isdigit():
            if int(ref) not in existing_ids:
                missing.append(ref)
            return match.group(0)
        pk = by_slug.get(ref) or by_old_slug.get(ref)
        if pk is None:
            missing.append(ref)
            return match.group(0)
        return f"[[read-more:{pk}]]"

    return READ_MORE_LINE.sub(replace, body), missing
