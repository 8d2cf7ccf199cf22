"""The privacy rules in force (`content/privacy.toml`), loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from content.privacy import Privacy, load_privacy

NO_CONSENT = "no_consent"  # a reminder row closed because the child has no consent on record
CONSENT_METHODS = ("in_person", "reply")


@lru_cache(maxsize=1)
def privacy_rules() -> Privacy:
    return load_privacy()
