"""Who sees and changes which article in the admin, for ArticleAdmin.

The rules are articles/roles.py's; desk/visibility.py applies them to the
lists, lookups and pickers. A writer sees their own articles and the live
ones; whatever else exists looks, to them, like no article at all.
"""

from django.urls import reverse

from articles import roles

from . import visibility


class ArticleVisibilityMixin:
    """Lists, lookups, pickers and permissions, by role."""

    def _picking(self, request) -> bool:
        return request.path == reverse("admin:autocomplete")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("tags")
        return visibility.desk_articles(
            queryset=queryset, user=request.user, picking=self._picking(request)
        )

    def get_object(self, request, object_id, from_field=None):
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        return visibility.desk_article(
            user=request.user, field=field, object_id=object_id
        )

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or roles.can_view_article(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or roles.can_change_article(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or roles.can_change_article(request.user, obj))

    def has_publish_permission(self, request):
        return roles.can_publish(request.user)

    def get_search_results(self, request, queryset, search_term):
        if self._picking(request):
            # Pickers match titles only: the body matches far too much.
            return queryset.filter(title__icontains=search_term), False
        return super().get_search_results(request, queryset, search_term)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # "Read more" references resolve among what this user may see.
        form.viewer = request.user
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related":
            # A forged POST may only pick what the picker offers: an article
            # the user may not see is "not one of the available choices",
            # exactly like one that does not exist.
            kwargs["queryset"] = visibility.visible_articles(user=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # Related articles the user cannot see were not in the form: keep them.
        article, hidden = form.instance, []
        if change:
            hidden = visibility.hidden_related(article=article, user=request.user)
        super().save_related(request, form, formsets, change)
        if hidden:
            article.related.add(*hidden)
