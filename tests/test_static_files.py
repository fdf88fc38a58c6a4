"""Static files are precompressed at deploy time, so WhiteNoise serves brotli
or gzip without compressing anything per request."""

import brotli
from django.core.management import call_command


def test_collectstatic_writes_brotli_and_gzip_copies(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    css = next(
        path for path in (tmp_path / "css").glob("site.*.css") if path.suffix == ".css"
    )
    original = css.read_bytes()
    assert brotli.decompress(css.with_name(css.name + ".br").read_bytes()) == original
    assert css.with_name(css.name + ".gz").exists()
