"""Uploads kept across a form's validation errors.

A browser cannot refill a file input, so when a form with a valid image has
an error elsewhere, the cleaned image is stored under ``staged/`` and its
name goes back signed in a hidden field: the next submission uses it unless
a new file is chosen. The signature stops a forged name from pointing at any
other stored file, and names the user who uploaded it: for anyone else the
token is as unknown as a forged one. It expires after a day, and the worker
removes the file soon after (``remove_stale``, run by articles.tasks).
"""

import uuid
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

FOLDER = "staged"
SALT = "articles.staged_upload"
MAX_AGE = 24 * 60 * 60
# A file is removed once no token can name it any more, with an hour to spare
# (the file is stored a moment before its token is signed).
REMOVE_AFTER = timedelta(seconds=MAX_AGE) + timedelta(hours=1)


def stage(upload, *, owner: int, storage=default_storage) -> str:
    """Store ``upload`` (already checked) and return its signed token, which
    only ``owner`` (the uploader's user id) may use."""
    suffix = PurePosixPath(upload.name or "").suffix.lower()
    upload.seek(0)
    name = storage.save(f"{FOLDER}/{uuid.uuid4().hex}{suffix}", upload)
    return signing.dumps({"name": name, "owner": owner}, salt=SALT)


def name_of(token: str, *, owner: int | None) -> str | None:
    """The stored name behind a token, or None if forged, expired, gone or
    staged by someone other than ``owner``."""
    if not token or owner is None:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("owner") != owner:
        return None
    name = payload.get("name")
    if not (isinstance(name, str) and name.startswith(f"{FOLDER}/")):
        return None
    return name if default_storage.exists(name) else None


def restore(
    token: str, *, owner: int | None, storage=default_storage
) -> ContentFile | None:
    """The staged file as an upload to assign to an ImageField, or None."""
    name = name_of(token, owner=owner)
    if name is None:
        return None
    with storage.open(name, "rb") as handle:
        content = handle.read()
    return ContentFile(content, name=PurePosixPath(name).name)


def remove_stale(*, now: datetime, storage=default_storage) -> tuple[int, int]:
    """Delete the staged files older than REMOVE_AFTER; (removed, kept).

    Only through the storage API, so it works on the disk and on object
    storage alike; only the files directly in ``staged/``, where ``stage``
    puts them. A file gone meanwhile (another worker) is not an error.
    """
    try:
        _folders, names = storage.listdir(FOLDER)
    except FileNotFoundError:  # nothing was ever staged
        return 0, 0
    removed = kept = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            stale = now - storage.get_modified_time(path) > REMOVE_AFTER
        except FileNotFoundError:
            continue
        if stale:
            storage.delete(path)
            removed += 1
        else:
            kept += 1
    return removed, kept
