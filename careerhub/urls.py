from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "CareerHub editors"
admin.site.site_title = "CareerHub admin"
admin.site.index_title = "Run the site"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
    path("newsletter/", include("newsletter.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
