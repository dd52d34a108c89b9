"""Rate limits on the public report page, shared by every server process.

Why the default (60 a minute and 600 an hour per address) is so generous:
on the day of an attack, ransom notes print on every printer at once (as in
Osaka in 2022), and a whole hospital's phones and PCs may reach MedIR
through one NAT address. Dozens of honest reports in a minute are then
expected, and a nurse who is turned away loses minutes the response needs.
The limit is only there to stop one address from burying the real reports
under thousands of fake ones: 600 an hour keeps the security manager's list
readable and the database small. A person who is limited is shown the
security manager's numbers to phone instead.

The counters live in Django's cache, which is the database here
(``CACHES``), so every process of the server sees the same counts.
django-ratelimit rates that cache as non-atomic because its increment reads
and then writes; the counting below therefore runs in one transaction that
holds a lock (SQLite's write lock, taken at BEGIN by the IMMEDIATE
transaction mode; an advisory lock on PostgreSQL), so two processes never
both read the same count. For the same reason django-ratelimit is used as a
library and not listed in INSTALLED_APPS: its system check would reject this
cache, which the lock makes safe.

The database cache keeps at most 300 entries by default and then drops a
third of them, so a flood from hundreds of addresses at once can reset some
counters; the limit is a brake on one noisy address, not a defence against
a distributed attack.
"""

import ipaddress
import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

GROUP = "medir.reporting.report"

# Any 64-bit number unique to MedIR; it names the PostgreSQL advisory lock.
RATE_LOCK_KEY = 0x4D65_6449_5200_0002


def client_address(group: str, request) -> str:
    """The address a report comes from: REMOTE_ADDR, or with
    ``MEDIR_TRUSTED_PROXY`` the address the proxy added to X-Forwarded-For.

    Only the last X-Forwarded-For entry is the proxy's own; anything left of
    it was sent by the client and can be forged. An IPv6 client is counted
    by its /64 network, which one device can hop around in at will.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.MEDIR_TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            address = last
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        # Unreadable addresses share one counter rather than escaping it.
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _lock_counters() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RATE_LOCK_KEY])


def is_report_limited(request) -> bool:
    """Count this POST against every rate in ``MEDIR_REPORT_RATE`` and say
    whether any of them is exceeded.

    Fails open: when the counters cannot be read the report goes through,
    since a lost report costs more than a missed limit.
    """
    limited = False
    try:
        with transaction.atomic():
            _lock_counters()
            for rate in settings.MEDIR_REPORT_RATE:
                usage = get_usage(
                    request,
                    group=GROUP,
                    key=client_address,
                    rate=rate,
                    method="POST",
                    increment=True,
                )
                if usage is None:
                    continue
                # A limit of 0 is django-ratelimit's sign that the cache
                # could not be read or written.
                if usage["limit"] == 0:
                    logger.warning("Report rate counter unavailable rate=%s", rate)
                    continue
                # Every rate is counted, even after one is exceeded, so that
                # the hourly count sees the whole burst.
                limited = limited or usage["should_limit"]
    except DatabaseError:
        logger.exception("Report rate counters failed; letting the report in")
        return False
    return limited
