from django.urls import path

from .beacon import BeaconView

app_name = "audience"

urlpatterns = [
    path("", BeaconView.as_view(), name="count"),
]
