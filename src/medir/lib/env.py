"""Typed readers for settings that come from environment variables.

Each reader raises ``ImproperlyConfigured`` naming the variable and the value
it could not use, so that a mistyped setting stops start-up instead of being
silently replaced by a default.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def read_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use 1/0, true/false or on/off."
    )


def read_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(
            f"{name}={value} is out of range; use {minimum} to {maximum}."
        )
    return value


def read_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default.resolve()
    return Path(raw.strip()).expanduser().resolve()


def read_listen_address(name: str, default: str) -> tuple[str, int]:
    """Read HOST:PORT; IPv6 hosts are written in brackets, e.g. [::1]:8000."""
    raw = (os.environ.get(name) or default).strip()
    host, sep, port_text = raw.rpartition(":")
    if not sep or not host:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not HOST:PORT, e.g. 127.0.0.1:8000."
        )
    try:
        port = int(port_text)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} has no numeric port.") from None
    if not 1 <= port <= 65535:
        raise ImproperlyConfigured(f"{name}={raw!r}: the port must be 1-65535.")
    return host.strip("[]"), port


def read_url(name: str, default: str) -> str:
    raw = (os.environ.get(name) or default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not an http(s) URL, e.g. https://medir.example.jp."
        )
    return raw.rstrip("/")
