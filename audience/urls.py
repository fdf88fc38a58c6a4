from django.urls import path

from .beacon import beacon

app_name = "audience"

urlpatterns = [
    path("", beacon, name="count"),
]
