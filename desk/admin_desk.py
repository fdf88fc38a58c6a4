"""The writing side of the editor's desk, hooked into ArticleAdmin.

``ArticleDeskMixin`` adds the live preview, autosave, versions and the guard
against two people overwriting each other (desk/versions.py) to the
article admin; the views are in desk/editor_views.py (their addresses in
desk/article_urls.py), the script in
static/js/editor.js.
"""

import reversion
from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article

from . import moments, versions
from .typed_text import typed_text


class EditGuardFormMixin:
    """Refuses a save when the article changed since the form was loaded.

    The stored token is read under a row lock (the admin saves inside one
    transaction), so of two concurrent saves the second waits, then is
    refused. The refused text stays in the form and is kept as a version.
    """

    edit_conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_token"].initial = versions.edit_token(
                self.instance.modified_at
            )

    def clean(self):
        cleaned = super().clean()
        # The form always sends the token; a post without it (a script) is
        # taken as meaning to replace whatever is stored.
        if self.instance.pk and "edit_token" in self.data:
            stored = versions.locked_token(self.instance.pk)
            if (
                stored is not None
                and stored != self.data["edit_token"]
                and not versions.is_own_autosave(self.instance, self.viewer)
            ):
                self._refuse(stored)
        return cleaned

    def _refuse(self, stored_token: str):
        theirs = Article.objects.get(pk=self.instance.pk)
        versions.keep_baseline(theirs)
        their_version = versions.versions_of(theirs).first()
        who = versions.last_saved_by(theirs)
        # Kept by the revision the admin view has open, as the newest version.
        versions.keep_unsaved(
            article=theirs,
            user=self.viewer,
            title=self.data.get("title", ""),
            body=typed_text(self.data.get("body", "")),
            excerpt=self.data.get("excerpt", ""),
        )
        compare = reverse("admin:articles_article_versions", args=[theirs.pk])
        self.edit_conflict = {
            "who": who,
            "when": moments.when(theirs.modified_at, short=True),
            "title": theirs.title,
            "body": theirs.body,
            "compare_url": f"{compare}?from={their_version.pk}",
        }
        # Saving again, now knowingly, is allowed: the form carries the token
        # of the text the editor has just been shown.
        self.data = self.data.copy()
        self.data["edit_token"] = stored_token
        raise ValidationError(
            f"Not saved: {who} saved this article at {self.edit_conflict['when']} "
            "while you were editing. Your text is still in the form below (and "
            "kept in the versions); theirs is shown above it. Combine the two, "
            "then save again.",
            code="edit_conflict",
        )


def edit_guard_form(base: type[forms.ModelForm], readonly=()) -> type:
    attrs = dict.fromkeys(name for name in readonly if name in base.declared_fields)
    attrs["edit_token"] = forms.CharField(widget=forms.HiddenInput, required=False)
    return type(base.__name__, (EditGuardFormMixin, base), attrs)


class ArticleDeskMixin:
    """Preview, autosave, versions and the edit guard, for ArticleAdmin."""

    @property
    def media(self):
        return super().media + forms.Media(
            js=["js/editor.js", "js/media-picker.js"],
            css={"all": ["css/editor.css", "css/media-library.css"]},
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and self.has_change_permission(request, obj):
            readonly = self.get_readonly_fields(request, obj)
            kwargs.setdefault("form", edit_guard_form(self.form, readonly))
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        if object_id is not None:
            # Its own version first: the text from before versions were kept.
            article = self.get_object(request, unquote(object_id))
            if article is not None and self.has_change_permission(request, article):
                versions.keep_baseline(article)
        # Whatever the view saves (or refuses) is kept as one version.
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment("Created" if object_id is None else "Saved")
            return super().changeform_view(request, object_id, form_url, extra_context)

    def construct_change_message(self, request, form, formsets, add=False):
        changed = [
            name for name in versions.VERSIONED_FIELDS if name in form.changed_data
        ]
        if not add and changed and reversion.is_active():
            reversion.set_comment(f"Saved (changed the {', '.join(changed)})")
        return super().construct_change_message(request, form, formsets, add)
