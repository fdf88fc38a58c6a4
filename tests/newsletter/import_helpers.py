"""Shared by the subscriber import tests (tests/newsletter/test_grow_import*.py)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Imports are kept in a temporary folder, outside MEDIA_ROOT."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    settings.NEWSLETTER_IMPORT_MAX_BYTES = 1024 * 1024
    return tmp_path / "private"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def upload_of(content: bytes, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")
