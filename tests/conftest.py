"""Shared fixtures and hypothesis profiles.

Profiles: ``ci`` (default; derandomized, no deadline) and ``fuzz`` (many
examples): ``pytest --hypothesis-profile=fuzz``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("fuzz", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
