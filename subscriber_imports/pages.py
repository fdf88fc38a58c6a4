"""The editor's pages of a subscriber import: the upload form, then one page
that shows the dry run, takes the go-ahead and follows the import.

Every page finds its import as the desk does (admin_object_or_404): 404 for
an id that names none, 403 without the permission the page needs. Writers
have no newsletter permission, so they reach none of it.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from desk.admin_objects import admin_object_or_404, admin_page_context

from .encoding import ImportFileError
from .models import SubscriberImport
from .plan import Outcome
from .run import import_start
from .upload import import_upload

Status = SubscriberImport.Status
# Seconds between reloads of a page whose import is being checked or run.
REFRESH_SECONDS = 2
TEMPLATES = "admin/subscriber_imports/subscriberimport"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="An export from Mailchimp (subscribed, unsubscribed or "
        "cleaned), Substack or Ghost, any CSV with an email column, or a "
        "list with one address per line. UTF-8 or UTF-16; commas or "
        "semicolons.",
    )
    consent_statement = forms.CharField(
        label="Where the list came from",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=SubscriberImport._meta.get_field("consent_statement").help_text,
    )


def detail_url(source) -> str:
    return reverse("admin:subscriber_imports_subscriberimport_change", args=[source.pk])


def upload(model_admin, request):
    """GET: the form. POST: check the file (nothing is stored if it is
    refused) and start its dry run."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = import_upload(
                uploaded=form.cleaned_data["file"],
                statement=form.cleaned_data["consent_statement"],
                user=request.user,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return HttpResponseRedirect(detail_url(source))
    context = admin_page_context(
        request, model_admin, "Import subscribers", form=form, has_file_field=True
    )
    status = 400 if form.errors else 200
    return TemplateResponse(request, f"{TEMPLATES}/upload.html", context, status=status)


def time_left(source, now) -> str:
    """Rough time left of a running import, from its pace so far."""
    if not (source.started_at and source.rows_done and source.total_rows):
        return ""
    spent = (now - source.started_at).total_seconds()
    seconds = spent * (source.total_rows - source.rows_done) / source.rows_done
    if seconds < 60:
        return "less than a minute"
    return f"about {round(seconds / 60)} minute(s)"


def outcome_rows(source) -> list[dict]:
    """Each outcome with its count, label and the dry run's first rows."""
    return [
        {
            "key": outcome.value,
            "label": outcome.label,
            "count": source.counts.get(outcome.value, 0),
            "samples": source.samples.get(outcome.value, []),
        }
        for outcome in Outcome
    ]


def detail(model_admin, request, object_id):
    """The import's page. POST (the go-ahead) needs the change permission."""
    source = admin_object_or_404(
        model_admin,
        request,
        object_id,
        permission="change" if request.method == "POST" else "view",
        not_found="No such import.",
    )
    if request.method == "POST":
        if import_start(source=source):
            model_admin.message_user(request, "The import has started.")
        else:
            model_admin.message_user(
                request,
                "This import was already started, or its dry run is not done.",
                messages.WARNING,
            )
        return HttpResponseRedirect(detail_url(source))
    now = timezone.now()
    counts = source.counts
    context = admin_page_context(
        request,
        model_admin,
        f"Import of {source.file_name}",
        source=source,
        outcomes=outcome_rows(source),
        new=counts.get(Outcome.NEW_CONFIRMED, 0) + counts.get(Outcome.NEW_PENDING, 0),
        tags_unknown=counts.get("tags_unknown", 0),
        percent=round(100 * source.rows_done / source.total_rows)
        if source.total_rows
        else 0,
        time_left=time_left(source, now),
        refresh=REFRESH_SECONDS
        if source.status in (Status.UPLOADED, Status.IMPORTING)
        else None,
        may_start=source.status == Status.CHECKED
        and model_admin.has_change_permission(request, source),
        subscribers_url=reverse("admin:newsletter_subscriber_changelist")
        + f"?source_import__id__exact={source.pk}",
    )
    return TemplateResponse(request, f"{TEMPLATES}/detail.html", context)
