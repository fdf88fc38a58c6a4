"""The admin's inputs, swept: every date lookup of every list, every action's
selection and the publish confirmation's parameters (review 2, item 14).

Django's admin accepts a lookup on any field of a list's model, not only the
listed filters, so each date field of each model is tried, with the lookups
an editor's URL or an attacker's can carry. Models and actions are read from
the admin site, so a new list or action is covered the day it is added.
"""

import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from tests.hostile.test_sweep import HOSTILE, NUL, assert_no_server_error

pytestmark = pytest.mark.django_db

# Part lookups take a number; out of every calendar, or not one at all.
PART_VALUES = ["99999", "-5", "0", "13", "9" * 20, "abc", "1.5", "x\x00"]
# Range lookups take a date or a time; these overflow or fail to parse.
RANGE_VALUES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "99999-01-01",
    "-5",
    "abc",
    "2026-02-30",
]
LOOKUPS = {
    "year": PART_VALUES,
    "month": PART_VALUES,
    "day": PART_VALUES,
    "gte": RANGE_VALUES,
    "lt": RANGE_VALUES,
}
# Not "１" (a Unicode digit, read as 1): another finding; it would act on row 1.
SELECTIONS = ["abc", "-1", "9" * 20, "1.5", "é", "１", "", NUL, "1\x00"]


def _label(model):
    return model._meta.label


def _date_fields(model) -> list[str]:
    """Each date field of the model, the list filters' and hierarchy's included."""
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.DateField) and field.concrete
    ]


# A plain date on a time field: Django warns (naive datetime), in production
# only a warning; the tests turn warnings into errors.
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize("model", list(admin.site._registry), ids=_label)
def test_every_date_lookup_on_every_list_is_a_page_or_invalid(
    superuser_client, site, model
):
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for field in _date_fields(model):
        for lookup, values in LOOKUPS.items():
            for value in values:
                name = f"{field}__{lookup}"
                response = superuser_client.get(path, {name: value})
                assert_no_server_error(response, f"GET {path}?{name}={value!r}")
                expected = {400} if NUL in value else {200, 302, 400}
                assert response.status_code in expected, f"{path}?{name}={value!r}"
    hierarchy = admin.site.get_model_admin(model).date_hierarchy
    for value in PART_VALUES if hierarchy else []:
        # Drilling down: a real year, then a month or day no calendar has.
        for query in (
            {f"{hierarchy}__year": "2026", f"{hierarchy}__month": value},
            {
                f"{hierarchy}__year": "2026",
                f"{hierarchy}__month": "2",
                f"{hierarchy}__day": value,
            },
        ):
            response = superuser_client.get(path, query)
            assert_no_server_error(response, f"GET {path}?{query}")


FIELD_LOOKUPS = ["exact", "gte", "lt", "in", "isnull"]
FIELD_VALUES = ["9" * 20, "-9" + "9" * 19, "abc", "1.5", "1,abc", "", "x\x00"]


def _filter_fields(model) -> list[str]:
    """The model fields the list's filters name (not the custom filters)."""
    names = []
    for entry in admin.site.get_model_admin(model).list_filter:
        name = entry[0] if isinstance(entry, tuple | list) else entry
        if isinstance(name, str):
            names.append(name)
    return names


@pytest.mark.parametrize("model", list(admin.site._registry), ids=_label)
def test_every_filtered_field_with_any_lookup_is_a_page_or_invalid(
    superuser_client, site, model
):
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for field in _filter_fields(model):
        for lookup in FIELD_LOOKUPS:
            for value in FIELD_VALUES:
                name = f"{field}__{lookup}"
                response = superuser_client.get(path, {name: value})
                assert_no_server_error(response, f"GET {path}?{name}={value!r}")
                expected = {400} if NUL in value else {200, 302, 400}
                assert response.status_code in expected, f"{path}?{name}={value!r}"


def _actions(client, path) -> list[str]:
    response = client.get(path)
    action_form = response.context and response.context.get("action_form")
    if not action_form:
        return []
    return [name for name, _ in action_form.fields["action"].choices if name]


@pytest.mark.parametrize("model", list(admin.site._registry), ids=_label)
def test_every_action_refuses_a_selection_that_is_not_ids(
    superuser_client, site, model
):
    path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for action in _actions(superuser_client, path):
        for selected in SELECTIONS:
            for extra in ({"index": "0"}, {"post": "yes"}):
                data = {"action": action, "_selected_action": [selected], **extra}
                response = superuser_client.post(path, data)
                what = f"POST {path} {action} {selected!r}"
                assert_no_server_error(response, what)
                if selected in {"abc", "9" * 20, "1.5", "é", "１"} or NUL in selected:
                    assert response.status_code == 400, what


PUBLISH_PARAMETERS = {
    "action": ["publish", "schedule", "unpublish", *HOSTILE],
    "at": [
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:00:00+00:00",
        "0001-01-01T00:00:00+14:00",
        "2026-02-30T10:00:00+00:00",
        "2026-06-15T10:00:00",  # no offset
        *HOSTILE,
    ],
    "tz": ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "../../etc/localtime", *HOSTILE],
}


def test_the_publish_confirmation_with_hostile_parameters_is_a_page_or_4xx(
    superuser_client, site
):
    url = reverse("admin:articles_article_publish", args=[site.secret.pk])
    base = {"action": "schedule", "at": "9998-12-31T23:00:00+00:00"}
    for name, values in PUBLISH_PARAMETERS.items():
        for value in values:
            for tz in ("Pacific/Kiritimati", "Etc/GMT+12"):
                query = {**base, "tz": tz, name: value}
                response = superuser_client.get(url, query)
                assert_no_server_error(response, f"GET {url} {query}")
    # POST does it: only values that must be refused, so nothing is published.
    for at in PUBLISH_PARAMETERS["at"][:4]:
        for tz in PUBLISH_PARAMETERS["tz"]:
            response = superuser_client.post(
                url, {"action": "schedule", "at": at, "tz": tz}
            )
            assert_no_server_error(response, f"POST {url} {at} {tz}")
            assert response.status_code in {302, 400}
