"""Videos from YouTube and Vimeo, placed with a reference line:

    [[video:https://www.youtube.com/watch?v=VIDEO_ID|The video's title]]
    [[video:https://vimeo.com/76979871|The video's title]]

The title after ``|`` is what readers see before they play the video (the
site never asks the video's site for it: no request leaves the server). Any
usual address works: youtube.com/watch?v=, youtu.be/, /embed/, /shorts/,
/live/, youtube-nocookie.com; vimeo.com/ID, vimeo.com/ID/HASH (unlisted),
player.vimeo.com/video/ID.

Readers get a click-to-load frame: a button with the title, and nothing
fetched from the video's site until they press it (static/js/video.js then
puts the player in, from youtube-nocookie.com, or Vimeo with ``dnt=1``).
Feeds and mails get a link with the title instead.
"""

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.template.loader import render_to_string

from .reference_syntax import VIDEO_LINE, VIDEO_TOKEN

YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
VIMEO_ID = re.compile(r"[0-9]{1,12}")
VIMEO_HASH = re.compile(r"[0-9a-f]{6,20}")
YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com"}
NOCOOKIE_HOSTS = {"youtube-nocookie.com"}
VIMEO_HOSTS = {"vimeo.com", "player.vimeo.com"}
# The hosts players are framed from (the content security policy's frame-src).
PLAYER_ORIGINS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
PROVIDERS = {"youtube": "YouTube", "vimeo": "Vimeo"}


class VideoError(ValueError):
    """A video line the site cannot play; the message tells the editor why."""


@dataclass(frozen=True)
class Video:
    provider: str  # "youtube" or "vimeo"
    video_id: str
    title: str
    vimeo_hash: str = ""

    @property
    def provider_name(self) -> str:
        return PROVIDERS[self.provider]

    @property
    def watch_url(self) -> str:
        """The video's own page, for feeds, mails and readers without script."""
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        suffix = f"/{self.vimeo_hash}" if self.vimeo_hash else ""
        return f"https://vimeo.com/{self.video_id}{suffix}"

    @property
    def embed_url(self) -> str:
        """The player, on the privacy-enhanced host, starting on the click
        that loads it."""
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?autoplay=1"
        query = {"dnt": 1, "autoplay": 1}
        if self.vimeo_hash:
            query["h"] = self.vimeo_hash
        return f"https://player.vimeo.com/video/{self.video_id}?{urlencode(query)}"


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")


def _youtube_id(host: str, path: str, query: str) -> str | None:
    parts = [part for part in path.split("/") if part]
    candidate = ""
    if host == "youtu.be":
        candidate = parts[0] if parts else ""
    elif parts == ["watch"]:
        candidate = (parse_qs(query).get("v") or [""])[0]
    elif len(parts) >= 2 and parts[0] in {"embed", "shorts", "live", "v"}:
        candidate = parts[1]
    return candidate if YOUTUBE_ID.fullmatch(candidate) else None


def _vimeo_id(host: str, path: str, query: str) -> tuple[str, str] | None:
    parts = [part for part in path.split("/") if part]
    if host == "player.vimeo.com":
        if len(parts) != 2 or parts[0] != "video":
            return None
        video_id, hash_ = parts[1], (parse_qs(query).get("h") or [""])[0]
    else:
        numbers = [i for i, part in enumerate(parts) if VIMEO_ID.fullmatch(part)]
        if not numbers:
            return None
        video_id = parts[numbers[-1]]
        following = parts[numbers[-1] + 1 : numbers[-1] + 2]
        hash_ = following[0] if following else ""
    if not VIMEO_ID.fullmatch(video_id) or (hash_ and not VIMEO_HASH.fullmatch(hash_)):
        return None
    return video_id, hash_


def parse(argument: str) -> Video:
    """The video of a line's argument, ``URL|Title``; ``VideoError`` says
    what is wrong (an address of another site, no title)."""
    url, _, title = (argument or "").partition("|")
    url, title = url.strip(), " ".join(title.split())
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    host = _host(parts.netloc) if parts else ""
    video = None
    if parts and parts.scheme in {"http", "https"}:
        if host in YOUTUBE_HOSTS | NOCOOKIE_HOSTS | {"youtu.be"}:
            found = _youtube_id(host, parts.path, parts.query)
            video = found and Video("youtube", found, title)
        elif host in VIMEO_HOSTS:
            found = _vimeo_id(host, parts.path, parts.query)
            video = found and Video("vimeo", found[0], title, found[1])
    if not video:
        raise VideoError(
            f"“{argument.partition('|')[0].strip()}” is not the address of a "
            "YouTube or Vimeo video. Copy the address from the video's page."
        )
    if not title:
        raise VideoError(
            f"Give the video's title after a “|”: [[video:{url}|Its title]]. "
            "Readers see it before they play the video."
        )
    return video


def problems(source: str) -> list[str]:
    """What is wrong with each video line of Markdown, for the form."""
    found = []
    for argument in VIDEO_LINE.findall(source or ""):
        try:
            parse(argument)
        except VideoError as error:
            found.append(str(error))
    return found


# -- Rendering: a token that survives Markdown, expanded when served -------


def _encode(text: str) -> str:
    # Characters Markdown would read as markup are written as entities, so
    # the token comes out of rendering whole (Markdown decodes them again).
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def to_tokens(source: str) -> str:
    """Markdown with each playable video line in a canonical form that
    rendering keeps intact (``provider id hash|title``); other lines are left
    as typed (the form names what is wrong with them)."""

    def replace(match: re.Match) -> str:
        try:
            video = parse(match.group(1))
        except VideoError:
            return match.group(0)
        payload = f"{video.provider} {video.video_id} {video.vimeo_hash}|{video.title}"
        return f"[[video:{_encode(payload)}]]"

    return VIDEO_LINE.sub(replace, source or "")


def _from_token(argument: str) -> Video | None:
    ids, _, title = html.unescape(argument).partition("|")
    fields = ids.split(" ")
    if len(fields) != 3 or fields[0] not in PROVIDERS:
        return None
    return Video(fields[0], fields[1], title, fields[2])


def has_video(body_html: str) -> bool:
    """True if the (stored) body shows a video: its page then needs the
    click-to-load script, and no other page does."""
    return bool(VIDEO_TOKEN.search(body_html or ""))


def expand(body_html: str, *, outside: bool = False) -> str:
    """Swap video tokens for click-to-load frames (pages) or, ``outside`` the
    site (feeds, mails), for a link with the title."""
    template = "articles/_video_link.html" if outside else "articles/_video.html"

    def replace(match: re.Match) -> str:
        video = _from_token(match.group(1))
        if video is None:
            return ""
        return render_to_string(template, {"video": video}).strip()

    return VIDEO_TOKEN.sub(replace, body_html or "")
