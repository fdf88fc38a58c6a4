"""The newsletter's one use of a private Django API (newsletter/desk/
django_hooks.py) fails here, loudly, on a Django upgrade that changes it."""

import inspect

from django import forms
from django.forms.models import BaseModelForm

from newsletter.desk.django_hooks import SkipModelValidationMixin
from newsletter.desk.inlines import EditionArticleForm
from newsletter.models import EditionArticle


def test_django_still_asks_the_private_hook_for_validation_exclusions():
    assert "_get_validation_exclusions" in vars(BaseModelForm)
    source = inspect.getsource(BaseModelForm._post_clean)
    assert "self._get_validation_exclusions()" in source


class PositionForm(forms.ModelForm):
    class Meta:
        model = EditionArticle
        fields = ["position"]


class HookedPositionForm(SkipModelValidationMixin, PositionForm):
    def skip_model_validation(self):
        return {"position"}


def test_the_fields_the_hook_names_are_left_out_of_model_validation(monkeypatch):
    excluded = {}

    def full_clean(self, exclude=None, **kwargs):
        excluded[self.position] = set(exclude or ())

    monkeypatch.setattr(EditionArticle, "full_clean", full_clean)

    assert PositionForm(data={"position": "3"}).is_valid()
    assert HookedPositionForm(data={"position": "4"}).is_valid()

    assert "position" not in excluded[3]  # a valid value: the model checks it
    assert "position" in excluded[4]  # unless the hook names it


def test_the_edition_article_form_goes_through_the_one_hook():
    assert issubclass(EditionArticleForm, SkipModelValidationMixin)
    assert "_get_validation_exclusions" not in vars(EditionArticleForm)
