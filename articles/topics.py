"""Topics (taggit tags): which names exist already, one rule for forms."""

from django.db.models import Q
from taggit.models import Tag


def existing_names(names: list[str]) -> dict[str, str]:
    """Existing topics matching ``names`` in any case: {lowercase: stored name}."""
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    stored = Tag.objects.filter(query).values_list("name", flat=True)
    return {name.lower(): name for name in stored}


def unknown(names: list[str]) -> list[str]:
    """The names, in order, that match no existing topic (in any case)."""
    existing = existing_names(names)
    return [name for name in names if name.lower() not in existing]
