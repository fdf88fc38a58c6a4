"""Videos from YouTube and Vimeo: ``[[video:URL|Title]]`` lines shown as a
click-to-load frame (nothing from the video's site in the page), a link with
the title in feeds. The browser side: tests/e2e/test_media_desk.py."""

import html
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from articles import video
from articles.models import Article
from tests.articles.admin_forms import add_url, article_form
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ID = "dQw4w9WgXcQ"


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={ID}",
        f"https://www.youtube.com/watch?feature=share&v={ID}&t=30",
        f"https://m.youtube.com/watch?v={ID}",
        f"https://youtu.be/{ID}?si=tracking",
        f"https://www.youtube.com/embed/{ID}",
        f"https://www.youtube.com/shorts/{ID}",
        f"https://www.youtube-nocookie.com/embed/{ID}",
        f"youtube.com/watch?v={ID}",
    ],
)
def test_the_usual_youtube_addresses_are_understood(url):
    found = video.parse(f"{url}|Title")

    assert (found.provider, found.video_id) == ("youtube", ID)
    assert found.embed_url == f"https://www.youtube-nocookie.com/embed/{ID}?autoplay=1"


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://vimeo.com/76979871", "76979871?dnt=1&autoplay=1"),
        ("https://vimeo.com/channels/staffpicks/76979871", "76979871?dnt=1&autoplay=1"),
        (
            "https://vimeo.com/76979871/8272103f6e",
            "76979871?dnt=1&autoplay=1&h=8272103f6e",
        ),
        (
            "https://player.vimeo.com/video/76979871?h=8272103f6e",
            "76979871?dnt=1&autoplay=1&h=8272103f6e",
        ),
    ],
)
def test_vimeo_addresses_play_without_tracking(url, embed):
    found = video.parse(f"{url}|Title")

    assert found.embed_url == f"https://player.vimeo.com/video/{embed}"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("https://example.com/watch?v=dQw4w9WgXcQ|Title", "not the address of a"),
        ("https://www.youtube.com/watch?v=short|Title", "not the address of a"),
        ("javascript:alert(1)|Title", "not the address of a"),
        (f"https://youtu.be/{ID}", "Give the video's title"),
        (f"https://youtu.be/{ID}|   ", "Give the video's title"),
    ],
)
def test_lines_the_site_cannot_play_are_refused_with_a_reason(line, message):
    with pytest.raises(video.VideoError, match=message):
        video.parse(line)


def test_the_page_shows_a_frame_that_loads_nothing_until_played(client):
    article = ArticleFactory(
        body=f"Watch this.\n[[video:https://youtu.be/{ID}|Mock interview, part 1]]\n"
    )

    page = client.get(article.get_absolute_url())

    text = page.text
    assert "<iframe" not in text
    assert "Play video: Mock interview, part 1" in text
    assert f'href="https://www.youtube.com/watch?v={ID}"' in text
    assert (
        f'data-video-embed="https://www.youtube-nocookie.com/embed/{ID}?autoplay=1"'
        in text
    )
    assert "js/video.js" in text
    # Nothing the browser fetches by itself comes from the video's site.
    fetched = re.findall(r'(?:src|srcset|poster)="([^"]+)"', text)
    assert not [url for url in fetched if "youtube" in url or "ytimg" in url]


def test_the_content_security_policy_frames_only_the_players(client):
    article = ArticleFactory()

    policy = client.get(article.get_absolute_url())["Content-Security-Policy"]

    frame_src = re.search(r"frame-src ([^;]+)", policy).group(1).split()
    assert frame_src == [
        "'self'",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ]
    assert "script-src 'self'" in policy


def test_a_title_with_markup_characters_is_shown_as_typed_and_escaped(client):
    title = 'Salary "talks" & <script>alert(1)</script> *not bold* it\'s_here_'
    article = ArticleFactory(body=f"[[video:https://vimeo.com/76979871|{title}]]\n")

    text = client.get(article.get_absolute_url()).text

    assert "<script>alert(1)" not in text
    assert f"Play video: {escape(title)}</span>" in text
    assert Article.objects.get().body.endswith(f"|{title}]]\n")  # as typed


def test_video_lines_stay_out_of_excerpts_and_word_counts():
    article = ArticleFactory(
        body=f"Two words.\n\n[[video:https://youtu.be/{ID}|A long video title]]\n"
    )

    assert article.auto_excerpt == "Two words."
    assert article.word_count == 2


def test_feeds_get_a_link_with_the_title(client):
    ArticleFactory(body=f"[[video:https://youtu.be/{ID}|Mock interview, part 1]]\n")

    feed = html.unescape(client.get(reverse("articles:feed")).text)

    assert (
        f'<a href="https://www.youtube.com/watch?v={ID}">Video: Mock interview, '
        "part 1</a> (YouTube)" in feed
    )
    assert "iframe" not in feed and "data-video-embed" not in feed


def test_the_form_names_a_line_it_cannot_play_and_keeps_the_text(editor_client, author):
    body = "Draft text.\n\n[[video:https://example.com/clip|A clip]]\n"

    response = editor_client.post(add_url(), article_form(author=author.pk, body=body))

    assert response.status_code == 200
    assert "is not the address of a YouTube or Vimeo video" in response.text
    assert "Draft text." in response.text
    assert not Article.objects.exists()


def test_the_markdown_help_documents_the_lines(editor_client):
    page = editor_client.get(add_url()).text

    assert "[[image:ID]]" in page
    assert "[[video:YouTube or Vimeo address|Its title]]" in page
