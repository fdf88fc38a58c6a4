from django.contrib import admin
from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    # The admin site's login and staff check, as for its own pages.
    path("<slug:name>.csv", admin.site.admin_view(views.table_csv), name="csv"),
]
