"""Log-in lock-out (django-axes): where a client comes from, and an audit
record each time an account is locked."""

import logging

from axes.signals import user_locked_out
from django.db import transaction
from django.dispatch import receiver

from medir.audit.services import append_audit_record
from medir.reporting.limits import client_address

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The address failed log-ins are counted against: the same rule as the
    report page's limits, so MEDIR_TRUSTED_PROXY means the same thing for
    both and an IPv6 device cannot dodge the count by hopping in its /64.

    An unreadable address (a test client, a broken proxy) counts as 0.0.0.0:
    axes stores it in an address column, which PostgreSQL checks."""
    address = client_address("login", request)
    return "0.0.0.0" if address == "unknown" else address


@receiver(user_locked_out, dispatch_uid="medir.accounts.audit_lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    # axes sends the signal again for every attempt refused while the lock
    # holds; only the attempt that caused the lock has a failure count (axes
    # resets it to None before checking), so an attacker hammering a locked
    # account cannot flood the audit chain.
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    with transaction.atomic():
        append_audit_record(
            actor=None,
            action="account.locked_out",
            object_type="auth.user",
            object_id=username or "",
            after={
                "username": username or "",
                "ip_address": ip_address or "",
                "failures": failures,
                "path": getattr(request, "path", ""),
            },
        )
    logger.warning("Log-in locked out after failures=%s", failures)
