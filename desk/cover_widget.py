"""The cover upload on the article form: a labelled file input, a preview of
the chosen image before saving, and a click on it to set the focal point
(static/js/cover.js; no inline script or style, so the CSP stays strict)."""

from django.contrib.admin.widgets import AdminFileWidget
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


class CoverImageInput(AdminFileWidget):
    # A plain <label for> names the file input itself (axe: every form
    # element has a label); Django's fieldset and legend did not.
    use_fieldset = False

    class Media:
        js = ["js/cover.js"]

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        input_id = self.build_attrs(self.attrs, attrs).get("id", name)
        # The stored cover, or one kept from a try with errors (forms.py).
        current = getattr(self, "staged_url", "") or (
            value.url if self.is_initial(value) else ""
        )
        focus = render_to_string(
            "admin/articles/widgets/_cover_focus.html",
            {"input_id": input_id, "current_url": current},
        )
        return mark_safe(html + focus)
