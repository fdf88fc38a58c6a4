from django.urls import include, path

from . import click_views, preference_views, views

app_name = "newsletter"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
    # A subscriber's own page, from the link in every mail (preference_views.py).
    path(
        "preferences/<str:token>/",
        preference_views.PreferencesView.as_view(),
        name="preferences",
    ),
    path(
        "preferences/<str:token>/topics/",
        preference_views.TopicsView.as_view(),
        name="preferences-topics",
    ),
    path(
        "preferences/<str:token>/pause/",
        preference_views.PauseView.as_view(),
        name="preferences-pause",
    ),
    path(
        "preferences/<str:token>/unsubscribe/",
        preference_views.UnsubscribeFromPreferencesView.as_view(),
        name="preferences-unsubscribe",
    ),
    path(
        "preferences/<str:token>/data/",
        preference_views.DataView.as_view(),
        name="preferences-data",
    ),
    path(
        "preferences/<str:token>/data.json",
        preference_views.DataDownloadView.as_view(),
        name="preferences-data-json",
    ),
    # The digest's article links: counted, then sent on (click_views.py).
    path("r/<str:token>/", click_views.ClickView.as_view(), name="click"),
    path("editions/", views.EditionListView.as_view(), name="editions"),
    path("editions/<int:pk>/", views.EditionDetailView.as_view(), name="edition"),
    # Bounce and complaint reports from mail services (newsletter/bounces.py).
    path("esp/", include("newsletter.webhooks")),
]
