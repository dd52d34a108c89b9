"""System checks that warn the operator before a kit is printed wrong."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning as CheckWarning


def public_url_is_this_machine() -> bool:
    """True when MEDIR_PUBLIC_URL names only this computer (127.0.0.1,
    localhost): a QR code on a ward poster would then lead nowhere."""
    host = urlsplit(settings.PUBLIC_URL).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_url(app_configs=None, **kwargs):
    if not public_url_is_this_machine():
        return []
    return [
        CheckWarning(
            f"MEDIR_PUBLIC_URL is {settings.PUBLIC_URL}, an address of this "
            "computer only: the report page's QR codes on the printed "
            "posters will not open on anyone else's PC or phone.",
            hint=(
                "Set MEDIR_PUBLIC_URL to the address other devices reach MedIR "
                "at, e.g. http://medir.hospital.local:8000, before printing "
                "the paper kit."
            ),
            id="medir.W001",
        )
    ]
