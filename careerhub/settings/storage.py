"""Static files, uploads and media storage (local or S3-compatible)."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from careerhub.settings.core import BASE_DIR, DEBUG
from careerhub.settings.env import env_bool, env_int

# ---------------------------------------------------------------------------
# Static files and uploads
# ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media on S3-compatible object storage (the `s3` extra, django-storages) when
# AWS_STORAGE_BUCKET_NAME is set; credentials come from boto3's own chain
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or an instance role).
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")


def media_storage_from_env(bucket: str) -> tuple[dict, list[str]]:
    """The S3 storage for ``bucket`` and the origins its URLs are served from."""
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    region = os.environ.get("AWS_S3_REGION_NAME", "")
    domain = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region or None,
        "custom_domain": domain or None,
        # Signed, expiring URLs for a private bucket; plain ones for a public
        # bucket or a CDN (AWS_S3_CUSTOM_DOMAIN).
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
        "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600),
        "signature_version": "s3v4",
        "location": os.environ.get("AWS_LOCATION", ""),
        # Every upload keeps a name of its own, so URLs can be cached.
        "file_overwrite": False,
        "default_acl": None,
        # Path-style URLs (endpoint/bucket/name) for S3-compatible services.
        "addressing_style": "path" if endpoint else None,
    }
    if domain:
        origins = [f"https://{domain}"]
    elif endpoint:
        origins = ["{0.scheme}://{0.netloc}".format(urlsplit(endpoint))]
    else:
        host = f"{bucket}.s3.{region}" if region else f"{bucket}.s3"
        origins = [f"https://{host}.amazonaws.com"]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origins


MEDIA_ORIGINS = []
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"], MEDIA_ORIGINS = media_storage_from_env(AWS_STORAGE_BUCKET_NAME)

# Uploaded images: accepted size in bytes and in pixels (width x height).
IMAGE_MAX_BYTES = env_int("IMAGE_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env_int("IMAGE_MAX_PIXELS", 40_000_000)
# Widths of the resized copies served in srcset.
IMAGE_RENDITION_WIDTHS = (480, 800, 1200, 1600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Private files (subscriber imports): never under MEDIA_ROOT or MEDIA_URL, so no
# web server serves them; on S3 a private prefix of the bucket with signed
# URLs only (never the public custom domain).
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
}
if AWS_STORAGE_BUCKET_NAME:
    _private, _ = media_storage_from_env(AWS_STORAGE_BUCKET_NAME)
    _private["OPTIONS"].update(
        location="private",
        custom_domain=None,
        querystring_auth=True,
        default_acl="private",
    )
    STORAGES["private"] = _private
