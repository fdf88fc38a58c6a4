"""Opening an uploaded file as text, streamed: its encoding from its first
bytes, and the files that are not text at all."""

import codecs
import io

SAMPLE_BYTES = 64 * 1024
# Signatures of files editors upload by mistake, with what to do instead.
NOT_CSV = {
    b"PK\x03\x04": "an Excel workbook or a zip archive: save it as CSV first",
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file: save it as CSV first",
    b"\x1f\x8b": "a gzip archive: unpack it first",
}


class ImportFileError(ValueError):
    """A file that cannot be imported, with a message for the editor."""


def sniff_encoding(sample: bytes) -> str:
    """UTF-8 (with or without its BOM), UTF-16 with a BOM, or Windows-1252
    (old spreadsheet exports) when the start is not UTF-8."""
    for signature, what in NOT_CSV.items():
        if sample.startswith(signature):
            raise ImportFileError(f"This is not a CSV file but {what}.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise ImportFileError(
            "This is a binary file, not a CSV (it contains NUL bytes)."
        )
    try:
        # A multi-byte character cut at the sample's end is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def open_text(binary) -> io.TextIOWrapper:
    """``binary`` (a file open for reading bytes, at its start) as text lines
    read a buffer at a time, never whole. Newlines are left to the csv module
    (quoted fields may hold them; CRLF is read as one line end)."""
    buffered = _Buffered(binary)
    sample = buffered.peek(SAMPLE_BYTES)[:SAMPLE_BYTES]
    encoding = sniff_encoding(sample)
    return io.TextIOWrapper(buffered, encoding=encoding, newline="")


class _Buffered(io.BufferedReader):
    """A BufferedReader over any object with read() (a Django File, an S3
    object), so ``peek`` works whatever the storage."""

    def __init__(self, raw):
        super().__init__(_RawReader(raw), buffer_size=SAMPLE_BYTES)


class _RawReader(io.RawIOBase):
    def __init__(self, source):
        self.source = source

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
