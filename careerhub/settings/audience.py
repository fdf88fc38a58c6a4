"""Readers' figures: cookieless counts (see audience/ and the privacy page)."""

from careerhub.settings.env import env_bool, env_int

# Off: pages carry no counting script and the beacon counts nothing.
AUDIENCE_COUNTING = env_bool("AUDIENCE_COUNTING", True)
# Counted views a process holds before writing them in one batch, and the
# longest it holds any (seconds): a killed process loses at most that.
AUDIENCE_FLUSH_EVENTS = env_int("AUDIENCE_FLUSH_EVENTS", 500)
AUDIENCE_FLUSH_SECONDS = env_int("AUDIENCE_FLUSH_SECONDS", 5)
# Views counted per client address and minute; beyond, beacons are answered
# but not counted (a flood of forged beacons stays bounded).
AUDIENCE_VIEWS_PER_MINUTE = env_int("AUDIENCE_VIEWS_PER_MINUTE", 120)
