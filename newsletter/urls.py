from django.urls import include, path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.SignupView.as_view(), name="signup"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path(
        "unsubscribe/<str:token>/",
        views.UnsubscribeView.as_view(),
        name="unsubscribe",
    ),
    path("editions/", views.EditionListView.as_view(), name="editions"),
    path("editions/<int:pk>/", views.EditionDetailView.as_view(), name="edition"),
    # Bounce and complaint reports from mail services (newsletter/bounces.py).
    path("esp/", include("newsletter.webhooks")),
]
