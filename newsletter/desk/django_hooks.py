"""The one place the newsletter leans on a private Django API.

Django has no public hook for the fields a ModelForm leaves out of the
model's own validation: ``BaseModelForm._post_clean`` asks the private
``_get_validation_exclusions()``. This mixin is the only override of it;
tests/newsletter/test_rooms_django_hooks.py fails loudly if a Django upgrade
renames it or stops asking it.
"""


class SkipModelValidationMixin:
    """A ModelForm whose ``skip_model_validation()`` names fields the model's
    own validation leaves alone (the form field has checked them)."""

    def skip_model_validation(self) -> set[str]:
        return set()

    def _get_validation_exclusions(self):
        excluded = super()._get_validation_exclusions()
        excluded.update(self.skip_model_validation())
        return excluded
