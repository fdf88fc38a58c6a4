"""Hostile input to the sign-up form: never a 500, never a header injection."""

import email
import email.policy

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

HEADER_TRICKS = ["\r\n", "\n", "\r", "\x00", "%0d%0a", "\u2028", "\x85", ","]
INJECTED = ["Bcc: victim@example.com", "Subject: pwned", "Content-Type: text/html"]

addresses = st.one_of(
    st.emails(),
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=300, max_size=2000),
    st.builds(
        lambda address, trick, injected: f"{address}{trick}{injected}",
        st.emails(),
        st.sampled_from(HEADER_TRICKS),
        st.sampled_from(INJECTED),
    ),
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(min_size=1, max_size=70),
        st.text(min_size=1, max_size=260),
    ),
)
fields = st.text(alphabet=st.characters(codec="utf-8"), max_size=600)


def assert_clean_mail(message, stored_email):
    """One recipient, the stored address, and only the headers we set."""
    parsed = email.message_from_bytes(
        message.message().as_bytes(), policy=email.policy.default
    )
    assert message.recipients() == [stored_email]
    assert parsed.get_all("To") == [stored_email]
    assert parsed.get("Bcc") is None and parsed.get("Cc") is None
    assert parsed.get_all("Subject") == [message.subject]
    assert "\n" not in message.subject and "\r" not in message.subject


# The examples share one test transaction; a higher rate limit keeps the
# limiter from answering every later example with a 429.
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    address=addresses,
    source=fields,
    version=fields,
    honeypot=st.sampled_from(["", "x"]),
)
def test_sign_up_form_survives_hostile_input(address, source, version, honeypot):
    client = Client()
    mail.outbox = []

    response = client.post(
        "/newsletter/",
        {
            "email": address,
            "source": source,
            "consent_version": version,
            "website": honeypot,
        },
    )

    assert response.status_code in {200, 400}
    if honeypot:
        assert response.status_code == 200
        assert mail.outbox == []
    for message in mail.outbox:
        stored = Subscriber.objects.with_email(message.to[0]).get()
        assert_clean_mail(message, stored.email)
        assert stored.email.isascii()
        assert len(stored.email) <= 254
        assert all(char.isprintable() for char in stored.source)
