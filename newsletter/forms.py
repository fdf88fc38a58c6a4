import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from . import consent

# An ordinary address: a dot-atom local part (no quoted strings, which may
# carry control characters) and a domain name (no [IP] literal, no localhost).
ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
LOCAL_PART = re.compile(rf"{ATOM}(\.{ATOM})*")
DOMAIN = re.compile(
    r"(?=.{4,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(xn--[a-z0-9-]{1,59}|[a-z]{2,63})"
)
MAX_EMAIL_LENGTH = 254
INVALID_EMAIL = "Enter a valid email address, like name@example.com."
# A path on this site: one slash first, never two or a backslash (browsers
# read "//host" and "/\\host" as another site); printable ASCII only.
SOURCE_PATH = re.compile(r"/(?![/\\])[\x21-\x5b\x5d-\x7e]{0,299}")


def normalise_email(value: str) -> str:
    """The address as stored: trimmed, with its domain lower-cased and IDNA-encoded.

    The local part keeps its case (some mail servers honour it); uniqueness is
    checked case-insensitively. Raises ValidationError for anything else.
    """
    value = value.strip()
    local, at, domain = value.rpartition("@")
    if not at or not LOCAL_PART.fullmatch(local):
        raise ValidationError(INVALID_EMAIL, code="invalid")
    try:
        domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(INVALID_EMAIL, code="invalid") from None
    if not DOMAIN.fullmatch(domain):
        raise ValidationError(INVALID_EMAIL, code="invalid")
    email = f"{local}@{domain}"
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(INVALID_EMAIL, code="invalid")
    validate_email(email)
    return email


def clean_source(value: str) -> str:
    """The sign-up page's path if it looks like one of ours, else nothing.

    A record for editors and the check-your-inbox page's link back: a missing
    or odd value must not refuse a sign-up.
    """
    value = (value or "").strip()
    return value if SOURCE_PATH.fullmatch(value) else ""


class EmailAddressField(forms.CharField):
    """An address as typed: at most MAX_EMAIL_LENGTH characters (RFC 5321's
    limit on a path, less its angle brackets). A longer one is refused with a
    message saying so, and the form shows back only that many characters of
    it, whatever was sent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_EMAIL_LENGTH)
        super().__init__(**kwargs)
        self.error_messages["max_length"] = (
            f"An email address has at most {self.max_length} characters: "
            "check what you typed."
        )

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return data[: self.max_length] if isinstance(data, str) else data


class SignupForm(forms.Form):
    email = EmailAddressField(
        label="Email address",
        error_messages={"required": "Enter your email address."},
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "inputmode": "email", "required": True}
        ),
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by bots.
    website = forms.CharField(label="Leave this empty", required=False)
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    consent_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_source(self):
        return clean_source(self.cleaned_data.get("source", ""))

    def clean_consent_version(self):
        return consent.known_or_current(self.cleaned_data.get("consent_version", ""))

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
