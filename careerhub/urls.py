from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView, TemplateView

from httpguard.admin_shortcut import view_on_site
from reader import sitemaps
from reader.cache_headers import public_cache
from reader.views import PublicTemplateView

admin.site.site_header = "CareerHub editors"
admin.site.site_title = "CareerHub admin"
admin.site.index_title = "Run the site"
# The 500 page, or the 503 page while the database is unreachable.
handler500 = "httpguard.views.server_error"
# The 404 page with a search box and the latest articles.
handler404 = "reader.not_found.page_not_found"

urlpatterns = [
    # Before the admin's own: its "view on site" redirect, checked per object.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
    ),
    # The editor's dashboard's CSV exports, under the admin's address.
    path("admin/dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("", include("reader.urls")),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        csrf_exempt(
            require_safe(public_cache(sitemap_views.sitemap, query_parameters=["p"]))
        ),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(
            template_name="robots.txt", content_type="text/plain; charset=utf-8"
        ),
        name="robots",
    ),
    path("newsletter/", include("newsletter.urls")),
    # The readers' figures' beacon (static/js/count.js): POST only, 204.
    path("count/", include("audience.urls")),
    # Site pages: plain templates, the same for every reader.
    path(
        "about/",
        PublicTemplateView.as_view(template_name="pages/about.html"),
        name="about",
    ),
    path(
        "privacy/",
        PublicTemplateView.as_view(template_name="pages/privacy.html"),
        name="privacy",
    ),
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
