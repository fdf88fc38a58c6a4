"""Admin forms for editors: image uploads, topics and "Read more" checks."""

from django import forms
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.html import format_html

from articles import figures, images, read_more, roles, topics, video
from articles.models import Article, Author

from . import publishing, staged_uploads
from .cover_widget import CoverImageInput
from .topic_field import TopicField, TopicWidget
from .typed_text import typed_text


class ImageUploadField(forms.ImageField):
    """An image upload that is checked and stripped of metadata before storage.

    Replaces Django's own check (any format Pillow reads, ``verify()`` only)
    with ``images.clean_upload``: JPEG, PNG or WebP judged by content, size and
    pixel caps, bombs and truncated files refused. The cleaned value is the
    re-encoded file, so the original with its EXIF never reaches the storage.
    """

    default_validators = []

    def __init__(self, **kwargs):
        # The model fields have no help text of their own: this is the one.
        kwargs["help_text"] = kwargs.get("help_text") or images.upload_help_text()
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        return images.clean_upload(upload)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput):
            attrs["accept"] = images.ACCEPT_ATTRIBUTE
        return attrs


class TypedTextField(forms.CharField):
    """Text as typed, with the browser's CRLF line endings made LF: a text
    sent back untouched is then not "changed" (nor noted so in the versions)."""

    def to_python(self, value):
        return typed_text(super().to_python(value))


class FocalField(forms.FloatField):
    """One coordinate of the cover's focal point, set by clicking the preview.

    Not sent (no script, an old form): the stored value stays, unchanged.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs["required"] = False
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return data not in (None, "") and super().has_changed(initial, data)


def _focal(value: float | None, stored: float) -> float:
    return stored if value is None else value


def markdown_help_text() -> str:
    url = reverse("admin:articles_article_markdown_help")
    return format_html(
        "Write in Markdown: <code>## Heading</code>, <code>**bold**</code>, "
        "<code>*italic*</code>, <code>- list item</code>, "
        "<code>[link text](https://…)</code>, <code>&gt; quote</code>.<br>"
        "To point readers to another article, put "
        "<code>[[read-more:its-slug]]</code> on a line of its own; it is "
        "shown as “Read more: <em>its current title</em>”. A library image: "
        "<code>[[image:ID]]</code> on a line of its own (the picker below "
        "gives the line). A video: <code>[[video:YouTube or Vimeo "
        "address|Its title]]</code>; readers see the title and load the "
        "video only when they press play. "
        '<a href="{}" target="_blank" rel="noopener">Full Markdown help '
        "(opens in a new tab)</a>.",
        url,
    )


def _check_media_lines(body: str) -> None:
    """Figures and videos the site can show, or a message naming each line."""
    errors = [
        forms.ValidationError(
            f"No image in the library has the ID {pk} ([[image:{pk}]]). "
            "Pick the image with “Insert an image from the library” below, "
            "or remove the line.",
            code="image_missing",
        )
        for pk in figures.missing(body)
    ]
    errors += [
        forms.ValidationError(message, code="video_invalid")
        for message in video.problems(body)
    ]
    if errors:
        raise forms.ValidationError(errors)


class ArticleAdminForm(forms.ModelForm):
    # Who fills the form in (ArticleAdmin.get_form sets it); without one,
    # "Read more" may only point to live articles and no topic is created.
    viewer = None

    # The cover chosen before a validation error (desk/staged_uploads.py).
    cover_staged = forms.CharField(required=False, widget=forms.HiddenInput)
    create_topics = forms.BooleanField(
        label="Create new topics",
        required=False,
        help_text="Topics that do not exist yet are refused, so a typo never "
        "becomes a public topic page. Tick this to create the new topics the "
        "message names.",
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "body",
            "excerpt",
            "tags",
            "cover_image",
            "cover_alt",
            "cover_focal_x",
            "cover_focal_y",
            "author",
            "related",
            # No status: only the publishing buttons change it, after their
            # confirmation (desk/admin_publish.py), so a plain save never
            # publishes or unpublishes, whatever is posted.
            "published_at",
            "featured",
            "meta_description",
            "reviewed_at",
        ]
        field_classes = {
            "body": TypedTextField,
            "excerpt": TypedTextField,
            "tags": TopicField,
            "cover_focal_x": FocalField,
            "cover_focal_y": FocalField,
        }
        widgets = {"cover_image": CoverImageInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        if "cover_image" not in fields:
            fields.pop("cover_staged", None)
        elif name := staged_uploads.name_of(
            self.data.get(self.add_prefix("cover_staged")), owner=self._stager
        ):
            fields["cover_image"].help_text = (
                f"The picture you chose is kept ({name.rsplit('/', 1)[-1]}): no need "
                "to choose it again. " + fields["cover_image"].help_text
            )
            fields["cover_image"].widget.staged_url = default_storage.url(name)
        if "tags" not in fields or not roles.can_create_topics(self.viewer):
            fields.pop("create_topics", None)
        if "body" in fields:
            fields["body"].help_text = markdown_help_text()
        if "tags" in fields:
            fields["tags"].help_text = (
                "Separate topics with commas, e.g. “Interviews, Career change”. "
                "Existing topics are suggested as you type."
            )
            fields["tags"].widget = TopicWidget(
                attrs={"size": 60},
                suggestions_url=reverse("admin:articles_article_topics"),
            )
        if "published_at" in fields:
            fields["published_at"].help_text = (
                f"In {settings.TIME_ZONE} time, the site's time zone. Saving "
                "never publishes: “Schedule…” at the top of the form uses this "
                "date, and “Publish now…” publishes at once. A live article "
                "keeps the date you give it, if it has passed."
            )

    def clean_body(self):
        # Browsers send CRLF line endings; store the text the way it is typed.
        body = typed_text(self.cleaned_data["body"])
        # Among what the user may see: someone else's draft is "no article".
        # The text stays as typed; the ids are stored beside it.
        self.instance.body = body
        missing = read_more.link_article(self.instance, viewer=self.viewer)
        if missing:
            names = ", ".join(f"“{ref}”" for ref in missing)
            raise forms.ValidationError(
                f"No article matches the “Read more” reference {names}. Check "
                "the slug (the last part of the article's address) or the ID, "
                "or remove the line.",
                code="read_more_missing",
            )
        own = self.instance.pk
        if own and own in self.instance.read_more_refs.values():
            raise forms.ValidationError(
                "An article cannot point to itself with “Read more”.",
                code="read_more_self",
            )
        _check_media_lines(body)
        return body

    def clean_cover_focal_x(self):
        return _focal(
            self.cleaned_data.get("cover_focal_x"), self.instance.cover_focal_x
        )

    def clean_cover_focal_y(self):
        return _focal(
            self.cleaned_data.get("cover_focal_y"), self.instance.cover_focal_y
        )

    def clean_related(self):
        related = self.cleaned_data.get("related")
        if related is not None and self.instance.pk:
            if any(article.pk == self.instance.pk for article in related):
                raise forms.ValidationError(
                    "An article cannot be related to itself: remove it from the list.",
                    code="related_self",
                )
        return related

    # The time asked for with "Schedule" on a scheduled article: carried to
    # the confirmation rather than saved (publishing.publish_date_on_save).
    requested_publish_at = None

    def clean(self):
        cleaned = super().clean()
        self._check_publish_date(cleaned)
        self._check_new_topics(cleaned)
        self._use_staged_cover(cleaned)
        # A new upload, or the stored file when none is sent; False = cleared.
        has_cover = bool(cleaned.get("cover_image"))
        if has_cover and "cover_alt" in self.fields and not cleaned.get("cover_alt"):
            self.add_error(
                "cover_alt",
                "Describe the cover image in a few words, for readers who use a "
                "screen reader or cannot load images.",
            )
        return cleaned

    def _check_publish_date(self, cleaned):
        if "published_at" not in self.fields or "published_at" not in cleaned:
            return
        button = publishing.pressed(self.data)
        requested = cleaned["published_at"]
        kept, error = publishing.publish_date_on_save(
            self.instance, requested, button=button
        )
        if error:
            self.add_error("published_at", error)
            return
        if kept != requested and button == publishing.SCHEDULE:
            self.requested_publish_at = requested
        cleaned["published_at"] = kept

    @property
    def _stager(self) -> int | None:
        """Whose staged covers this form may use: its viewer's."""
        return getattr(self.viewer, "pk", None)

    def _use_staged_cover(self, cleaned):
        """No new file but one kept from the last try: use that one."""
        if "cover_staged" not in self.fields or self.files.get(
            self.add_prefix("cover_image")
        ):
            return
        if cleaned.get("cover_image") is False:  # "Clear" ticked
            return
        token = cleaned.get("cover_staged", "")
        if not token:
            return
        staged = staged_uploads.restore(token, owner=self._stager)
        if staged is not None:
            cleaned["cover_image"] = staged
            self._staged_cover_used = True
            return
        # Expired, removed, forged or someone else's: never saved without
        # the picture the editor believes is kept, and never another's.
        self.data = self.data.copy()
        self.data[self.add_prefix("cover_staged")] = ""
        self.add_error(
            "cover_image",
            forms.ValidationError(
                "The picture chosen earlier is no longer kept (it is kept for a "
                "day, for the person who chose it): choose the file again.",
                code="cover_staged_lost",
            ),
        )

    @property
    def changed_data(self):
        changed = super().changed_data
        if getattr(self, "_staged_cover_used", False) and "cover_image" not in changed:
            changed = [*changed, "cover_image"]
        return changed

    def full_clean(self):
        super().full_clean()
        # A valid new cover on a form with errors elsewhere: keep it for the
        # next try, since the browser empties the file input.
        upload = self.files.get(self.add_prefix("cover_image"))
        cover = getattr(self, "cleaned_data", {}).get("cover_image")
        if (
            self._errors
            and upload
            and cover
            and "cover_staged" in self.fields
            and self._stager is not None
        ):
            token = staged_uploads.stage(cover, owner=self._stager)
            self.data = self.data.copy()
            self.data[self.add_prefix("cover_staged")] = token
            name = staged_uploads.name_of(token, owner=self._stager)
            field = self.fields["cover_image"]
            field.help_text = (
                "The picture you chose is kept: no need to choose it again. "
                + field.help_text
            )
            field.widget.staged_url = default_storage.url(name)
            # The bound field was made during cleaning, with the old text.
            self["cover_image"].help_text = field.help_text

    def _check_new_topics(self, cleaned):
        """Writers choose existing topics; editors confirm new ones."""
        new = topics.unknown(cleaned.get("tags") or [])
        if not new:
            return
        listed = ", ".join(f"“{name}”" for name in new)
        if "create_topics" not in self.fields:
            self.add_error(
                "tags",
                f"Not an existing topic: {listed}. Choose from the suggested "
                "topics; ask an editor if a new topic is needed.",
            )
        elif not cleaned.get("create_topics"):
            self.add_error(
                "tags",
                f"New topic, not created yet: {listed}. Check the spelling, or "
                "tick “Create new topics” below and save again to create it.",
            )


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "job_title", "bio", "photo", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            # Only admin logins can write; a select stays short at that size.
            self.fields["user"].queryset = (
                self.fields["user"].queryset.filter(is_staff=True).order_by("username")
            )
