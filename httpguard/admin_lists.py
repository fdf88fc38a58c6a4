"""Mend Django admin failures and leaks on odd requests, for every registered model.

``?published_at__year=99999999999`` makes Django's date hierarchy build a
date with a year beyond a C int: an OverflowError, which Django does not catch
(it catches ValueError), so the list answers 500. Here it is a bad lookup like
any other: the list comes back with Django's own "invalid parameters" answer.

Other values fail only once the query is built: ``?started_at__year=99999``
or ``__year=-5`` on any date field (Django allows lookups on every field of
the model, not only the listed filters) or an aware time whose conversion to
UTC overflows. The list's query is compiled here, without running it, so each
is also a bad lookup; so is an integer the database driver refuses to send.
An action's ``_selected_action=abc`` (or an id beyond the column's range)
and an autocomplete field posted with ``abc`` failed in the query too: both
are checked against the primary key's field first.

An object's history page looked the object up before asking for any
permission: to a staff user without one, an id that exists answered 403 and
one that does not a redirect. It now asks first, as the change page does.

``GuardedAdminMixin`` is mixed into every ModelAdmin the admin site
registers, the project's and third-party ones (auth, axes) alike
(httpguard/admin_site.py).
"""

import functools

from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import (
    BadRequest,
    EmptyResultSet,
    FullResultSet,
    PermissionDenied,
    ValidationError,
)
from django.db import models

from .ids import parse_id


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    def get_queryset(self, request, exclude_parameters=None):
        try:
            # Django's filters catch ValueError, not OverflowError (a naive
            # 9999-12-31 made aware beyond the last datetime).
            queryset = super().get_queryset(request, exclude_parameters)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error
        try:
            queryset.query.get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, OverflowError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset

    def get_results(self, request):
        try:
            super().get_results(request)
        except OverflowError as error:
            # SQLite's driver refuses an integer beyond 64 bits before running
            # the query (``author__exact=99999999999999999999``): Django checks
            # the range of a field's own lookups, not of a relation's.
            raise IncorrectLookupParameters(error) from error


def is_valid_value(field, value) -> bool:
    """Whether ``value`` can name a row by ``field`` (type and column range;
    an integer key only as ASCII digits, the rule of ``ids.parse_id``)."""
    if isinstance(field, models.IntegerField) and parse_id(value) is None:
        return False
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class SafeAutocompleteMixin:
    """Shows a posted value that names nothing as nothing, not a query error."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        to_field = opts.get_field(
            getattr(self.field.remote_field, "field_name", opts.pk.attname)
        )
        value = [v for v in value if v in ("", None) or is_valid_value(to_field, v)]
        return super().optgroups(name, value, attr)


@functools.cache
def _safe_widget_class(widget_class):
    return type(widget_class.__name__, (SafeAutocompleteMixin, widget_class), {})


def _with_safe_autocomplete(formfield):
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AutocompleteMixin) and not isinstance(
        widget, SafeAutocompleteMixin
    ):
        widget.__class__ = _safe_widget_class(type(widget))
    return formfield


class GuardedAdminMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, SafeChangeList):
            return changelist
        return type(changelist.__name__, (SafeChangeList, changelist), {})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return _with_safe_autocomplete(
            super().formfield_for_foreignkey(db_field, request, **kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return _with_safe_autocomplete(
            super().formfield_for_manytomany(db_field, request, **kwargs)
        )

    def response_action(self, request, queryset, *args, **kwargs):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_value(self.opts.pk, value) for value in selected):
            raise BadRequest("The selected items are not valid ids.")
        return super().response_action(request, queryset, *args, **kwargs)

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
