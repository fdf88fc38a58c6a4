"""The topic box of the article form: names separated by commas, existing
topics suggested as one types."""

from django import forms
from django.utils.html import format_html
from taggit.forms import TagWidget

from articles import topics


class TopicWidget(TagWidget):
    """A comma-separated text box offering existing topics as one types.

    The suggestions come from a small JSON view into a <datalist>
    (static/js/admin-topics.js): no inline script, so it works under the CSP.
    """

    def __init__(self, attrs=None, *, suggestions_url=""):
        super().__init__(attrs)
        self.suggestions_url = suggestions_url

    def format_value(self, value):
        if value is not None and not isinstance(value, str):
            value = ", ".join(sorted(getattr(tag, "name", tag) for tag in value))
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        if widget_attrs.get("id") and self.suggestions_url:
            widget_attrs["list"] = f"{widget_attrs['id']}_suggestions"
            widget_attrs["data-topic-suggestions"] = self.suggestions_url
            widget_attrs["autocomplete"] = "off"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        list_id = self.build_attrs(self.attrs, attrs).get("id")
        if not (list_id and self.suggestions_url):
            return html
        return html + format_html('<datalist id="{}_suggestions"></datalist>', list_id)

    class Media:
        js = ["js/admin-topics.js"]


class TopicField(forms.CharField):
    """Topics separated by commas only, so "Career change" stays one topic.

    A name typed in another case reuses the existing topic rather than
    creating a near-duplicate ("interviews" → "Interviews").
    """

    def clean(self, value):
        value = super().clean(value)
        names = []
        for part in (value or "").split(","):
            name = " ".join(part.strip().strip('"').split())
            if name and name.lower() not in {n.lower() for n in names}:
                names.append(name)
        if not names:
            return []
        for name in names:
            if len(name) > 100:
                raise forms.ValidationError(
                    f"The topic “{name[:40]}…” is too long: keep topics under "
                    "100 characters.",
                    code="topic_too_long",
                )
        existing = topics.existing_names(names)
        return [existing.get(name.lower(), name) for name in names]

    def has_changed(self, initial, data):
        initial_names = sorted(getattr(tag, "name", tag) for tag in initial or [])
        try:
            data_names = sorted(self.clean(data))
        except forms.ValidationError:
            return True
        return initial_names != data_names
