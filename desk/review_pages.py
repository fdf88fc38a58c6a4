"""The "Send back to the writer" page: GET asks for the note, POST sends the
draft back with it (desk/reviews.py does the work)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from articles import roles
from articles.models.reviews import NOTE_MAX_LENGTH

from . import reviews
from .admin_objects import admin_object_or_404, admin_page_context


class SendBackForm(forms.Form):
    note = forms.CharField(
        label="Your note to the writer",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="What to change before it can be published. The writer sees "
        "it on the article and by mail; it is kept beside the article's "
        "versions.",
        error_messages={"required": "Write a note: say what the writer should change."},
    )


def send_back_page(request, model_admin, object_id):
    article = admin_object_or_404(
        model_admin,
        request,
        object_id,
        permission="change",
        not_found="No such article.",
    )
    if not roles.can_publish(request.user):
        raise PermissionDenied
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if not reviews.review_bar(article, viewer=request.user)["may_send_back"]:
        model_admin.message_user(
            request,
            f"“{article}” is not waiting for review: there is nothing to send back.",
            messages.WARNING,
        )
        return HttpResponseRedirect(change_url)
    form = SendBackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        step = reviews.review_send_back(
            article=article, user=request.user, note=form.cleaned_data["note"]
        )
        model_admin.message_user(request, sent_back_message(article, step))
        return HttpResponseRedirect(change_url)
    context = admin_page_context(
        request,
        model_admin,
        f"Send “{article}” back to the writer?",
        subtitle=str(article),
        original=article,
        form=form,
        change_url=change_url,
        writer_address=reviews.writer_address(article),
    )
    return TemplateResponse(request, "admin/articles/article/send_back.html", context)


def sent_back_message(article, step) -> str:
    if step is None:  # a second click, or another editor was quicker
        return f"“{article}” had already been sent back or published."
    if reviews.writer_address(article):
        return f"“{article}” went back to its writer, who is told by mail."
    return (
        f"“{article}” went back to its writer. Their login has no email "
        "address, so they see your note only on the article."
    )
