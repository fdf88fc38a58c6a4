"""An editor's upload: checked before anything is stored, then kept
privately and handed to the dry run."""

import itertools

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from .encoding import ImportFileError
from .formats import ImportFile
from .models import SubscriberImport
from .run import dry_run_import

CHECKED_ROWS = 1000  # read at once; the dry run reads the rest


def upload_check(uploaded: UploadedFile) -> str:
    """The file's format if it looks importable; ImportFileError (with the
    reason, for the editor) if it is too big, empty, binary or not a CSV of
    addresses. Only its start is read here."""
    limit = settings.NEWSLETTER_IMPORT_MAX_BYTES
    if uploaded.size > limit:
        raise ImportFileError(
            f"The file is {filesizeformat(uploaded.size)}; the largest accepted "
            f"is {filesizeformat(limit)}. Split it, or ask for "
            "NEWSLETTER_IMPORT_MAX_BYTES to be raised."
        )
    if not uploaded.size:
        raise ImportFileError("The file is empty.")
    uploaded.seek(0)
    try:
        reader = ImportFile(uploaded)
        rows = list(itertools.islice(reader.rows(), CHECKED_ROWS))
    finally:
        uploaded.seek(0)
    if not rows:
        raise ImportFileError("The file has a header but no rows.")
    return reader.format


def import_upload(*, uploaded: UploadedFile, statement: str, user) -> SubscriberImport:
    """Store a checked upload and start its dry run (after the commit)."""
    file_format = upload_check(uploaded)
    source = SubscriberImport(
        uploaded_by=user,
        file_name=uploaded.name[:255],
        file_format=file_format,
        consent_statement=statement.strip(),
    )
    source.file.save("subscribers.csv", uploaded, save=False)
    source.save()
    transaction.on_commit(lambda: dry_run_import.enqueue(import_id=source.pk))
    return source
