from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

admin.site.site_header = "CareerHub editors"
admin.site.site_title = "CareerHub admin"
admin.site.index_title = "Run the site"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin).
    # Not permanent: the target's hashed name changes with the file.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static_url, str)("img/favicon.svg")),
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
