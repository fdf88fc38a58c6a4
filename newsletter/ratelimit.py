"""The newsletter's rate limits use the shared helper (httpguard.ratelimit)."""

from httpguard.ratelimit import PERIODS, hit, over, parse_rate

__all__ = ["PERIODS", "hit", "over", "parse_rate"]
