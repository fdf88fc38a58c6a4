"""The site's URLs plus the floor: a bare Django view answering with the bytes
of an article page held in memory (what no page can beat)."""

import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from careerhub.urls import urlpatterns as site_urlpatterns

_FLOOR = Path(os.environ.get("BENCH_FLOOR_FILE", "/dev/null")).read_bytes()


def floor(request):
    return HttpResponse(_FLOOR)


urlpatterns = [path("bench-floor/", floor), *site_urlpatterns]
