"""Image files built with Pillow for upload tests (no fixtures on disk)."""

import io
import random
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
ROTATE_90_CW = 6  # EXIF orientation: stored sideways, shown turned right


def image_bytes(fmt="JPEG", size=(1200, 600), color="teal", mode="RGB", **params):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **params)
    return out.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps(size=(40, 20)) -> bytes:
    """A JPEG with camera, GPS and orientation EXIF, as phones write them."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[ORIENTATION] = ROTATE_90_CW
    exif[GPS_IFD] = {
        1: "N",  # GPSLatitudeRef
        2: (51.0, 30.0, 12.5),  # GPSLatitude
        3: "W",  # GPSLongitudeRef
        4: (0.0, 7.0, 39.0),  # GPSLongitude
    }
    # Left half red, right half blue, to see the rotation in the pixels.
    image = Image.new("RGB", size, "red")
    image.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A JPEG cut off half way, as an interrupted copy leaves it."""
    out = io.BytesIO()
    noise_image(size=(400, 300)).save(out, "JPEG", quality=95)
    return out.getvalue()[: len(out.getvalue()) // 2]


def noise_image(size=(800, 400), seed=1) -> Image.Image:
    """Random colour noise: the one picture WebP compresses worse than JPEG."""
    rnd = random.Random(seed)
    return Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))


def transparent_palette_png(size=(600, 300)) -> bytes:
    """Left half opaque red, right half see-through, alpha given per palette entry.

    Pillow warns when such an image is converted straight to RGB.
    """
    image = Image.new("P", size, 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, size[0] // 2, size[1]))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=bytes([0, 255]))
    return out.getvalue()
