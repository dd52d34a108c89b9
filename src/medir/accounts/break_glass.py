"""Break-glass accounts: created ahead of time, sealed in an envelope,
opened when the normal log-in path is unusable.

A sealed account is inactive and the normal log-in refuses it (see
backends.py); only the break-glass page opens it, and every use there is
an audit record, a row shown on the dashboard of management, the security
manager and administrators until an administrator acknowledges it, and an
e-mail to the administrators. Afterwards its password must be changed:
``retire_break_glass`` disables it or seals it again with a new password.
"""

import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user

from medir.accounts.models import BreakGlassAccount, BreakGlassState, BreakGlassUse
from medir.audit.services import append_audit_record
from medir.incidents.permissions import roles_of
from medir.organisation.models import ChannelKind, Person, Role
from medir.organisation.services import create_person

logger = logging.getLogger(__name__)

# Roles a break-glass account may hold: the lanes that run a response.
# Never administrator: a sealed superuser would be too much to lose.
ALLOWED_ROLES = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.STAFF}
DEFAULT_ROLES = [Role.SECURITY_MANAGER, Role.MANAGEMENT]
# Who sees uses on the dashboard.
WATCHING_ROLES = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.ADMINISTRATOR}

# No 0/O, 1/l/I: the password is read off paper under stress.
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def generate_password() -> str:
    """Five groups of five characters, about 125 bits."""
    groups = ["".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(5)]
    return "-".join(groups)


def is_administrator(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or Role.ADMINISTRATOR in roles_of(user)
    )


def watches_break_glass(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.is_superuser or bool(roles_of(user) & WATCHING_ROLES)
    )


def create_break_glass_account(
    *, actor, username: str, roles: list[str]
) -> tuple[BreakGlassAccount, str]:
    """Create a sealed account; returns it with its password, which is
    stored only as a hash and must be printed once for the envelope."""
    unknown = set(roles) - {str(role) for role in ALLOWED_ROLES}
    if unknown or not roles:
        raise ValueError(
            "roles must be some of "
            + ", ".join(sorted(str(r) for r in ALLOWED_ROLES))
            + f"; got {', '.join(sorted(roles)) or 'none'}"
        )
    password = generate_password()
    with transaction.atomic():
        person = create_person(
            actor=actor,
            display_name=f"緊急用アカウント {username}",
            job_title="Break-glass account",
            roles=list(roles),
            username=username,
            password=password,
        )
        user = person.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        account = BreakGlassAccount.objects.create(user=user, sealed_at=timezone.now())
        append_audit_record(
            actor=actor,
            action="break_glass.created",
            obj=account,
            after={"username": username, "roles": sorted(roles), "state": "sealed"},
        )
    logger.info("Break-glass account created account_id=%s", account.pk)
    return account, password


def record_break_glass_use(
    account: BreakGlassAccount, *, ip_address: str | None
) -> BreakGlassUse:
    """Open the account (at its first use) and record this use; the
    administrators are mailed once the transaction commits."""
    now = timezone.now()
    with transaction.atomic():
        account = BreakGlassAccount.objects.select_for_update().get(pk=account.pk)
        first_use = account.state == BreakGlassState.SEALED
        if first_use:
            account.state = BreakGlassState.USED
            account.first_used_at = now
            account.save(update_fields=["state", "first_used_at"])
            account.user.is_active = True
            account.user.save(update_fields=["is_active"])
        use = BreakGlassUse.objects.create(
            account=account, used_at=now, ip_address=ip_address or None
        )
        append_audit_record(
            actor=account.user,
            action="break_glass.used",
            obj=use,
            after={
                "username": account.user.get_username(),
                "ip_address": ip_address or "",
                "first_use": first_use,
            },
        )
        transaction.on_commit(lambda: mail_break_glass_use(use.pk))
    logger.warning("Break-glass account used account_id=%s", account.pk)
    return use


def acknowledge_break_glass_use(use: BreakGlassUse, *, actor) -> BreakGlassUse:
    with transaction.atomic():
        use = BreakGlassUse.objects.select_for_update().get(pk=use.pk)
        if use.acknowledged_at is not None:
            return use
        use.acknowledged_at = timezone.now()
        use.acknowledged_by = actor
        use.save(update_fields=["acknowledged_at", "acknowledged_by"])
        append_audit_record(
            actor=actor,
            action="break_glass.acknowledged",
            obj=use,
            after={"username": use.account.user.get_username()},
        )
    logger.info("Break-glass use acknowledged use_id=%s", use.pk)
    return use


def retire_break_glass_account(
    account: BreakGlassAccount, *, actor, reseal: bool = False
) -> str | None:
    """Disable the account after an incident, or with ``reseal`` give it
    a new password (returned, to print once) and seal it again. Its
    sessions end either way."""
    with transaction.atomic():
        account = BreakGlassAccount.objects.select_for_update().get(pk=account.pk)
        before = account.state
        user = account.user
        password = generate_password() if reseal else None
        if password:
            user.set_password(password)
            account.state = BreakGlassState.SEALED
            account.sealed_at = timezone.now()
            account.first_used_at = None
        else:
            user.set_unusable_password()
            account.state = BreakGlassState.RETIRED
            account.retired_at = timezone.now()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])
        account.save()
        # Whatever app or recovery codes were tied to it while it was open
        # would make the next envelope ask for a phone.
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        append_audit_record(
            actor=actor,
            action="break_glass.resealed" if reseal else "break_glass.retired",
            obj=account,
            before={"state": before},
            after={"state": account.state},
        )
    logger.info(
        "Break-glass account %s account_id=%s",
        "resealed" if reseal else "retired",
        account.pk,
    )
    return password


def open_break_glass_uses():
    return (
        BreakGlassUse.objects.filter(acknowledged_at=None)
        .select_related("account__user")
        .order_by("-used_at")
    )


def accounts_to_change():
    """Accounts opened in an incident whose password is still the one
    from the envelope."""
    return BreakGlassAccount.objects.filter(state=BreakGlassState.USED).select_related(
        "user"
    )


def administrator_addresses() -> list[str]:
    """E-mail addresses of the administrators: active people with the
    administrator role (their e-mail channels and their account's
    address) and active superusers."""
    people = (
        Person.objects.filter(
            Q(roles__role=Role.ADMINISTRATOR) | Q(user__is_superuser=True),
            is_active=True,
        )
        .distinct()
        .select_related("user")
        .prefetch_related("channels")
        .order_by("id")
    )
    addresses: list[str] = []
    for person in people:
        candidates = [
            channel.value
            for channel in person.channels.all()
            if channel.kind == ChannelKind.EMAIL
        ]
        if person.user is not None and person.user.is_active and person.user.email:
            candidates.append(person.user.email)
        for address in (a.strip() for a in candidates):
            try:
                validate_email(address)
            except ValidationError:
                continue
            if address.lower() not in {a.lower() for a in addresses}:
                addresses.append(address)
    return addresses


def mail_break_glass_use(use_id: int) -> int:
    """Mail the administrators about one use; returns the messages sent.

    Runs after the use is committed: a mail server that is down must not
    undo the log-in, so a failure is logged and the dashboard still shows
    the use.
    """
    if not settings.MEDIR_MAIL_ENABLED:
        return 0
    addresses = administrator_addresses()
    if not addresses:
        logger.warning("Break-glass mail has no recipients use_id=%s", use_id)
        return 0
    use = BreakGlassUse.objects.select_related("account__user").get(pk=use_id)
    context = {
        "username": use.account.user.get_username(),
        "used_at": timezone.localtime(use.used_at),
        "ip_address": use.ip_address or "",
        "link": settings.PUBLIC_URL + reverse("incidents:dashboard"),
    }
    subject = " ".join(
        render_to_string("accounts/break_glass_subject.txt", context).split()
    )
    body = render_to_string("accounts/break_glass_body.txt", context)
    messages = [
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        for address in addresses
    ]
    try:
        sent = get_connection().send_messages(messages) or 0
    except Exception:
        logger.exception("Break-glass mail failed use_id=%s", use_id)
        return 0
    logger.info("Break-glass mail sent use_id=%s recipients=%s", use_id, sent)
    return sent
