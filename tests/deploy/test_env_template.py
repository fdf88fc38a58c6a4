"""The operator's files in deploy/ stay in step with what the settings read."""

import re
from pathlib import Path

from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
# env_int("X", ...), os.environ.get("X"), os.environ["X"], gunicorn's _int("X").
READS = re.compile(
    r"\b(?:env_bool|env_int|env_list|_int|environ\.get|environ)[(\[]\s*\"([A-Z0-9_]+)\""
)


def _read_by(path: Path) -> set[str]:
    return set(READS.findall(path.read_text()))


def _listed_in_template() -> set[str]:
    text = (DEPLOY / "careerhub.env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_env_template_lists_every_variable_the_settings_read():
    settings_files = (Path(settings.BASE_DIR) / "careerhub" / "settings").glob("*.py")
    read = set().union(*map(_read_by, settings_files))
    # dj-database-url reads DATABASE_URL itself.
    read.add("DATABASE_URL")
    assert {"SECRET_KEY", "CACHE_URL", "IMAGE_MAX_BYTES"} <= read  # the regex works
    assert read - _listed_in_template() == set()


def test_env_template_lists_every_variable_gunicorn_config_reads():
    read = _read_by(DEPLOY / "gunicorn.conf.py")
    assert "WEB_CONCURRENCY" in read
    assert read - _listed_in_template() == set()


def test_nginx_body_limit_is_the_image_cap_plus_room_for_the_form():
    site = (DEPLOY / "nginx" / "careerhub.conf").read_text()
    server_wide, import_page = re.findall(r"client_max_body_size (\d+)m;", site)
    assert int(server_wide) * 1024 * 1024 == settings.IMAGE_MAX_BYTES + 1024 * 1024
    # The subscriber import's page alone takes its larger file.
    location = site.index("location = /admin/subscriber_imports/subscriberimport/add/")
    assert site.index(f"client_max_body_size {import_page}m;") > location
    assert (
        int(import_page) * 1024 * 1024
        == settings.NEWSLETTER_IMPORT_MAX_BYTES + 1024 * 1024
    )
