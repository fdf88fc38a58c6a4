"""Ids typed in URLs and forms: ASCII digits only, for every app.

Python's ``int()`` reads far more than an id: "１" (a full-width digit), "١"
(Arabic-Indic), " 1", "+1" and "1_0" are all numbers to it, so Django's admin
opened article 1 at ``/admin/articles/article/１/change/``. Here an id is a run
of ASCII digits that fits the database's bigint; anything else names no
object, and answers exactly as a missing one does.

``StrictIdsMixin`` applies the rule to every ModelAdmin the admin site
registers (its object URLs, the project's extra admin pages that look objects
up through ``get_object``, and the choice fields of its forms), beside
``admin_lists`` for list parameters (httpguard/admin_site.py); ``parse_id``
is the rule for any other code.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MAX_ID = 2**63 - 1  # the largest bigint


def parse_id(value) -> int | None:
    """``value`` as an id if it is ASCII digits within a bigint, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= MAX_ID else None
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def _takes_integer_ids(field) -> bool:
    return isinstance(field, models.IntegerField)


class StrictModelChoiceField(forms.ModelChoiceField):
    """A choice by an integer key that refuses what only ``int()`` reads as a
    number (used for integer keys only: see StrictIdsMixin)."""

    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, models.Model)
            and parse_id(value) is None
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class StrictModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if pk not in self.empty_values and parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


class StrictIdsMixin:
    """For a ModelAdmin: object URLs and choice fields take ASCII ids only."""

    def get_object(self, request, object_id, from_field=None):
        opts = self.model._meta
        field = opts.pk if from_field is None else opts.get_field(from_field)
        if _takes_integer_ids(field) and parse_id(object_id) is None:
            return None  # as Django answers for an object that does not exist
        return super().get_object(request, object_id, from_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if _takes_integer_ids(db_field.target_field):
            kwargs.setdefault("form_class", StrictModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if _takes_integer_ids(db_field.target_field):
            kwargs.setdefault("form_class", StrictModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
