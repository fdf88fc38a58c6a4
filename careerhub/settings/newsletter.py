"""The newsletter: sign-ups, the weekly edition, sending (see README.md,
"Newsletter")."""

import os

from careerhub.settings.env import env_bool, env_int

# Confirmation links expire after this many seconds (default 7 days).
NEWSLETTER_CONFIRM_MAX_AGE = env_int("NEWSLETTER_CONFIRM_MAX_AGE", 7 * 24 * 3600)
# Sign-ups never confirmed are deleted this many days after they came
# (newsletter/retention.py); the privacy page says so.
NEWSLETTER_UNCONFIRMED_DAYS = env_int("NEWSLETTER_UNCONFIRMED_DAYS", 30)
# Sign-up POSTs allowed per client address: "<count>/<second|minute|hour|day>".
NEWSLETTER_RATE_LIMIT = os.environ.get("NEWSLETTER_RATE_LIMIT", "10/hour")
# Clicks on the digest's article links counted per client address; beyond
# it the reader is still sent on, the click is not counted (a flood of forged
# clicks from one address stays bounded).
NEWSLETTER_CLICK_RATE_LIMIT = os.environ.get("NEWSLETTER_CLICK_RATE_LIMIT", "30/hour")
# Failed logins to the mail service webhooks allowed per client address;
# then 429 until the period ends (the services themselves never fail).
NEWSLETTER_WEBHOOK_FAILURE_LIMIT = os.environ.get(
    "NEWSLETTER_WEBHOOK_FAILURE_LIMIT", "10/hour"
)
# The client's address for the sign-up limit: see CLIENT_IP_HEADER.
# The weekly edition: weekday (0 = Monday ... 6 = Sunday) and local time.
NEWSLETTER_SEND_WEEKDAY = env_int("NEWSLETTER_SEND_WEEKDAY", 1)
NEWSLETTER_SEND_TIME = os.environ.get("NEWSLETTER_SEND_TIME", "08:00")
# Minutes between creating the week's edition and sending it, for editors.
NEWSLETTER_REVIEW_MINUTES = env_int("NEWSLETTER_REVIEW_MINUTES", 60)
NEWSLETTER_SKIP_EMPTY_WEEKS = env_bool("NEWSLETTER_SKIP_EMPTY_WEEKS", True)
# Sending: mails per batch (one connection each), tries per mail, seconds
# between tries, and the senders' lease in seconds: a sender renews its
# batch's claim while it works, and another takes the batch over once the
# claim is this old (so a dead sender delays its batch about a minute). Keep
# it well above the mail server timeout.
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 200)
NEWSLETTER_MAX_ATTEMPTS = env_int("NEWSLETTER_MAX_ATTEMPTS", 3)
# Soft bounces in a row (no delivered mail between) that suppress an address.
NEWSLETTER_SOFT_BOUNCE_LIMIT = env_int("NEWSLETTER_SOFT_BOUNCE_LIMIT", 3)
# A mailbox that unsubscribes whoever writes to it (e.g.
# unsubscribe@careerhub.example), offered after the https link in
# List-Unsubscribe as mailto:unsubscribe+TOKEN@...: the mail service must hand
# its mail (sub-addresses included) to the inbound webhook,
# /newsletter/esp/<service>/inbound/. Empty: the https link only.
NEWSLETTER_UNSUBSCRIBE_MAILBOX = os.environ.get("NEWSLETTER_UNSUBSCRIBE_MAILBOX", "")
NEWSLETTER_RETRY_DELAY = env_int("NEWSLETTER_RETRY_DELAY", 600)
NEWSLETTER_CLAIM_TIMEOUT = env_int("NEWSLETTER_CLAIM_TIMEOUT", 60)
# Senders per sending process (threads, each with its own database and mail
# connection; PostgreSQL only). They mostly wait on the network, so they add up.
NEWSLETTER_SENDER_THREADS = env_int("NEWSLETTER_SENDER_THREADS", 4)
# Subscriber imports (CSV uploaded by editors): the largest file accepted, in
# bytes. 50 MB holds about 200,000 rows of a Mailchimp export; keep nginx's
# client_max_body_size 1 MiB above it.
NEWSLETTER_IMPORT_MAX_BYTES = env_int("NEWSLETTER_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
