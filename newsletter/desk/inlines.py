"""What an edition's and a subscriber's admin pages list below the form."""

from django import forms
from django.contrib import admin
from django.db.models import Q

from articles.models import Article, ArticleQuerySet

from ..models import EditionArticle, MailEvent
from .django_hooks import SkipModelValidationMixin


class MailEventInline(admin.TabularInline):
    """The subscriber's bounces and complaints (newsletter/bounces.py)."""

    model = MailEvent
    fields = ["occurred_at", "kind", "source", "event_id", "detail", "recorded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Bounces and complaints"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EditionArticleForm(SkipModelValidationMixin, forms.ModelForm):
    """One article of an edition: picked by title; a blank position adds it
    at the end."""

    class Meta:
        model = EditionArticle
        fields = ["position", "article"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].widget.attrs["min"] = 0
        if self.instance.pk is None:
            self.initial.pop("position", None)  # blank: goes last
            self.fields["position"].initial = None
        if self.instance.article_id:
            # An article no longer live stays choosable in its own row, so the
            # edition can still be saved; the mail leaves it out.
            self.fields["article"].queryset = Article.objects.filter(
                ArticleQuerySet.live_q() | Q(pk=self.instance.article_id)
            )

    def skip_model_validation(self) -> set[str]:
        if self.instance.pk and "article" not in self.changed_data:
            # Kept as it was: the form field checked it above; the model's
            # check would refuse an article that is no longer live.
            return {"article"}
        return set()


class EditionArticleInline(admin.TabularInline):
    model = EditionArticle
    form = EditionArticleForm
    template = "admin/newsletter/edition/articles_inline.html"
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    ordering = ["position", "pk"]
    extra = 0
    verbose_name = "article"
    verbose_name_plural = "articles"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "article":
            # Articles are picked by title here, not edited in pop-ups.
            for link in ["add", "change", "delete", "view"]:
                setattr(field.widget, f"can_{link}_related", False)
        return field

    def _editable(self, obj):
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)
