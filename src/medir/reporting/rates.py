"""Reading the report page's rate limits from the environment.

Imported by settings, so it must not touch models or other settings.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

# django-ratelimit's notation: a count, a slash, then an optional number and
# a unit (s, m, h, d), e.g. "60/m" or "600/h" or "10/5m".
RATE = re.compile(r"(?P<count>[1-9][0-9]{0,6})/(?P<multiple>[1-9][0-9]{0,3})?[smhd]")


def read_rates(name: str, default: str) -> tuple[str, ...]:
    """Read one or more rates separated by commas, e.g. "60/m,600/h"."""
    raw = os.environ.get(name)
    text = default if raw is None or raw.strip() == "" else raw
    rates = tuple(part.strip() for part in text.split(","))
    bad = [rate for rate in rates if not RATE.fullmatch(rate)]
    if bad:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: {bad[0]!r} is not a rate; write counts per "
            "second, minute, hour or day separated by commas, e.g. 60/m,600/h."
        )
    return rates
