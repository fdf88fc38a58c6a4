"""The media library in the desk: upload an image once (checked and stripped
of metadata as covers are), describe it, find it again by title or alt text,
and place it in any article with its reference line, ``[[image:ID]]``
(articles/figures.py). The article form's picker (``media_picker``) searches
the library and inserts the line where the cursor is.

An image that articles place cannot be deleted: the delete page lists the
articles (the database's PROTECT, shown by the admin) and deletes nothing.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from articles import services
from articles.models import MediaImage

from .forms import ImageUploadField

PICKER_RESULTS = 24


def library_search(queryset, query: str):
    """Images whose title, alt text or caption contain every word of ``query``."""
    for word in (query or "").split()[:10]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(alt__icontains=word)
            | Q(caption__icontains=word)
        )
    return queryset


def thumbnail(image: MediaImage, *, width: int = 96) -> str:
    """The smallest rendition (or the upload itself until renditions exist)."""
    renditions = image.images.get("jpeg") or []
    url = renditions[0][1] if renditions else (image.image.url if image.image else "")
    if not url:
        return ""
    return format_html(
        '<img class="media-thumb" src="{}" alt="" width="{}" loading="lazy">',
        url,
        width,
    )


class LabelledFileInput(AdminFileWidget):
    # A plain <label for> names the file input (axe), as the cover's does.
    use_fieldset = False


class MediaImageAdminForm(forms.ModelForm):
    class Meta:
        model = MediaImage
        fields = ["title", "image", "alt", "decorative", "caption", "credit"]
        field_classes = {"image": ImageUploadField}
        widgets = {"image": LabelledFileInput}


@admin.register(MediaImage)
class MediaImageAdmin(admin.ModelAdmin):
    form = MediaImageAdminForm
    list_display = ["preview", "title", "alt_summary", "reference", "use_count"]
    list_display_links = ["title"]  # a link of its own name, not the picture
    search_fields = ["title", "alt", "caption"]
    search_help_text = "Searches titles, alt text and captions."
    readonly_fields = ["current_image", "reference", "used_in"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["current_image", "image", "title"]}),
        ("For readers", {"fields": ["alt", "decorative", "caption", "credit"]}),
        (
            "Placing it",
            {
                "fields": ["reference", "used_in"],
                "description": "Put the reference line on a line of its own in "
                "an article's text, where the image should appear.",
            },
        ),
    ]

    class Media:
        css = {"all": ["css/media-library.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("uses"))

    def get_urls(self):
        picker = self.admin_site.admin_view(self.picker_view)
        return [
            path("picker/", picker, name="articles_mediaimage_picker"),
            *super().get_urls(),
        ]

    def picker_view(self, request):
        """Search results for the article form's picker (an HTML fragment)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "")[:200]
        found = library_search(MediaImage.objects.all(), query)[:PICKER_RESULTS]
        html = render_to_string(
            "admin/articles/mediaimage/_picker_results.html",
            {"images": [(image, thumbnail(image)) for image in found], "query": query},
            request=request,
        )
        return HttpResponse(html)

    # -- Columns and read-only fields ----------------------------------------

    @admin.display(description="image")
    def preview(self, image):
        return thumbnail(image)

    @admin.display(description="current image")
    def current_image(self, image):
        return thumbnail(image, width=240) if image.pk else "Not uploaded yet."

    @admin.display(description="alt text")
    def alt_summary(self, image):
        return "Decorative (no alt text)" if image.decorative else image.alt

    @admin.display(description="reference line")
    def reference(self, image):
        if image.pk is None:
            return "Given once the image is saved."
        return format_html("<code>{}</code>", image.reference_line)

    @admin.display(description="used in", ordering="use_count")
    def use_count(self, image):
        count = image.use_count
        return f"{count} article{'' if count == 1 else 's'}" if count else "–"

    @admin.display(description="placed in")
    def used_in(self, image):
        if image.pk is None:
            return "–"
        articles = image.articles.order_by("title").only("pk", "title")
        if not articles:
            return "No article yet: it can be deleted."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (reverse("admin:articles_article_change", args=[a.pk]), a.title)
                    for a in articles
                ),
            ),
        )

    # -- Writes go through the services --------------------------------------

    def save_model(self, request, obj, form, change):
        services.media_image_save(image=obj, file_changed="image" in form.changed_data)

    def delete_model(self, request, obj):
        services.media_image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            services.media_image_delete(image=image)


def media_picker() -> str:
    """The article form's picker: a search of the library that inserts the
    chosen image's reference line into the text (static/js/media-picker.js).
    Editors and writers may both search and upload (articles/roles.py)."""
    return render_to_string(
        "admin/articles/mediaimage/_picker.html",
        {
            "picker_url": reverse("admin:articles_mediaimage_picker"),
            "library_url": reverse("admin:articles_mediaimage_changelist"),
            "add_url": reverse("admin:articles_mediaimage_add"),
        },
    )
