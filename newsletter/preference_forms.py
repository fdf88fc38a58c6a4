"""The forms of a subscriber's preference page (newsletter/preference_views.py).

None of them carries a subscriber: the page's link names the subscriber, and
anything else posted is ignored.
"""

from django import forms
from django.db.models import Q
from taggit.models import Tag

from articles.models import topics_in_use
from httpguard.ids import StrictModelMultipleChoiceField

from .models import Subscriber
from .preferences import PAUSE_WEEKS

EVERY_TOPIC = "all"
CHOSEN_TOPICS = "chosen"


def topic_choices(subscriber: Subscriber):
    """The site's topics in use, and any this subscriber chose before (so a
    topic gone quiet is not dropped from their choice by saving the form)."""
    return Tag.objects.filter(
        Q(pk__in=topics_in_use().values("pk"))
        | Q(pk__in=subscriber.topics.values("pk"))
    ).order_by("name")


class TopicsForm(forms.Form):
    scope = forms.ChoiceField(
        label="Which articles do you want?",
        choices=[
            (EVERY_TOPIC, "Every topic (new topics included)"),
            (CHOSEN_TOPICS, "Only the topics I choose below"),
        ],
        widget=forms.RadioSelect,
    )
    topics = StrictModelMultipleChoiceField(
        label="Topics",
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, subscriber: Subscriber, **kwargs):
        chosen = list(subscriber.topics.all())
        kwargs.setdefault(
            "initial",
            {"scope": CHOSEN_TOPICS if chosen else EVERY_TOPIC, "topics": chosen},
        )
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = topic_choices(subscriber)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == CHOSEN_TOPICS and not cleaned.get("topics"):
            self.add_error("topics", "Choose at least one topic, or every topic.")
        return cleaned

    def chosen_topics(self) -> list[Tag]:
        """The topics to store: none stands for every topic."""
        if self.cleaned_data["scope"] == EVERY_TOPIC:
            return []
        return list(self.cleaned_data["topics"])


class PauseForm(forms.Form):
    weeks = forms.TypedChoiceField(
        label="Pause the digest for",
        coerce=int,
        choices=[
            (weeks, f"{weeks} week{'s' if weeks > 1 else ''}") for weeks in PAUSE_WEEKS
        ],
        initial=PAUSE_WEEKS[1],
    )
