"""Each front cache told in its own way (issue 25, item 2): Varnish, Cloudflare
and Fastly against a local server recording the calls, CloudFront against moto."""

import json
import logging
import threading

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from moto import mock_aws

from careerhub.settings.frontcache import front_cache_from_url
from frontcache import backends
from frontcache.models import FailedPurge
from frontcache.tasks import purge
from tests.factories import ArticleFactory, AuthorFactory

from .conftest import Recorder

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-token-value"


def use(settings, url):
    settings.FRONT_CACHE = front_cache_from_url(url)


def test_varnish_purges_every_address_listed(settings, fake_front):
    second = type(fake_front)(("127.0.0.1", 0), Recorder)  # a second Varnish
    second.calls, second.status = [], 200
    threading.Thread(target=second.serve_forever, daemon=True).start()
    try:
        use(settings, f"varnish://{fake_front.address},127.0.0.1:{second.server_port}")
        backends.configured().purge(["a1", "home"])
    finally:
        second.shutdown()
        second.server_close()
    for server in (fake_front, second):
        [call] = server.calls
        assert (call["method"], call["headers"]["xkey-purge"]) == ("PURGE", "a1 home")


def test_cloudflare_purges_tags_in_calls_of_thirty(settings, fake_front):
    use(
        settings,
        f"cloudflare://ZONE?token={SECRET}&endpoint=http://{fake_front.address}",
    )
    keys = [f"a{n}" for n in range(45)]
    backends.configured().purge(keys)
    assert [c["path"] for c in fake_front.calls] == ["/zones/ZONE/purge_cache"] * 2
    sent = [json.loads(c["body"])["tags"] for c in fake_front.calls]
    assert sent == [keys[:30], keys[30:]]
    assert fake_front.calls[0]["headers"]["authorization"] == f"Bearer {SECRET}"


def test_cloudflare_refusal_fails_without_showing_the_token(
    settings, fake_front, caplog
):
    use(
        settings,
        f"cloudflare://ZONE?token={SECRET}&endpoint=http://{fake_front.address}",
    )
    fake_front.status = 403
    with caplog.at_level(logging.DEBUG):
        result = purge.enqueue(keys=["home"])
    assert result.status == "FAILED"
    assert "HTTP 403" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in FailedPurge.objects.get().error


def test_fastly_purges_by_surrogate_key(settings, fake_front):
    use(
        settings,
        f"fastly://SERVICE?token={SECRET}&endpoint=http://{fake_front.address}",
    )
    backends.configured().purge(["a1", "u2", "home"])
    [call] = fake_front.calls
    assert (call["method"], call["path"]) == ("POST", "/service/SERVICE/purge")
    assert call["headers"]["surrogate-key"] == "a1 u2 home"
    assert call["headers"]["fastly-key"] == SECRET


def test_an_unreachable_front_cache_fails_the_purge(settings):
    use(settings, "varnish://127.0.0.1:9")  # discard port: nobody listens
    with pytest.raises(backends.PurgeFailed, match="PURGE http://127.0.0.1:9/"):
        backends.configured().purge(["home"])


@mock_aws
def test_cloudfront_invalidates_the_paths_of_the_keys(settings, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("cloudfront")
    distribution = client.create_distribution(
        DistributionConfig={
            "CallerReference": "careerhub",
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "app",
                        "DomainName": "careerhub.example",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "app",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {
                    "QueryString": True,
                    "Cookies": {"Forward": "none"},
                },
            },
        }
    )["Distribution"]["Id"]
    article = ArticleFactory(slug="asking-for-a-raise")
    author = AuthorFactory(slug="sam-lee")
    use(settings, f"cloudfront://{distribution}")
    purge.call(keys=[f"a{article.pk}", f"u{author.pk}", "home", "list"])
    [summary] = client.list_invalidations(DistributionId=distribution)[
        "InvalidationList"
    ]["Items"]
    paths = client.get_invalidation(DistributionId=distribution, Id=summary["Id"])[
        "Invalidation"
    ]["InvalidationBatch"]["Paths"]["Items"]
    assert set(paths) == {
        "/articles/asking-for-a-raise/",
        "/authors/sam-lee/*",
        "/",
        "/articles/",
        "/articles/?*",
    }


@pytest.mark.parametrize(
    ("url", "backend", "header"),
    [
        ("varnish://127.0.0.1:6081", "varnish", "xkey"),
        ("fastly://svc?token=x", "fastly", "Surrogate-Key"),
        ("cloudflare://zone?token=x", "cloudflare", "Cache-Tag"),
        ("cloudfront://E1", "cloudfront", None),
    ],
)
def test_front_cache_url_names_the_backend_and_its_header(url, backend, header):
    front = front_cache_from_url(url)
    assert (front["BACKEND"], front["KEY_HEADER"]) == (backend, header)


@pytest.mark.parametrize(
    "url", ["squid://x", "varnish://", "fastly://svc", "cloudflare://?token=x"]
)
def test_a_front_cache_url_missing_what_it_needs_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        front_cache_from_url(url)


def test_no_front_cache_url_means_off():
    assert front_cache_from_url("") is None
