"""Library images for the media tests, stored as the desk stores them."""

from articles import images, services
from articles.models import MediaImage
from tests.articles.image_files import image_bytes, upload


def library_image(name="chart.jpg", size=(1600, 900), **fields) -> MediaImage:
    """A cleaned upload saved through the service (renditions made at once:
    tasks run immediately in tests)."""
    defaults = {"title": "Hiring chart", "alt": "Bar chart of hires by source"}
    image = MediaImage(**{**defaults, **fields})
    image.image = images.clean_upload(upload(name, image_bytes(size=size)))
    services.media_image_save(image=image, file_changed=True)
    image.refresh_from_db()  # the renditions, written by the task
    return image
