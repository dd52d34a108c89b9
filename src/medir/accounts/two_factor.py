"""TOTP two-factor authentication with one-use recovery codes.

Management, the security manager and administrators must set up an
authenticator app; anyone else may. A person with a confirmed device
enters a code from it, or one of their ten recovery codes, after the
password and before anything else (see middleware.py). Wrong codes count
towards the same django-axes lock-out as wrong passwords, and django-otp
slows each device down after every wrong code.
"""

import base64
import logging
import secrets
from dataclasses import dataclass

import segno
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from medir.accounts.backends import is_break_glass_account
from medir.audit.services import append_audit_record
from medir.incidents.permissions import roles_of
from medir.organisation.models import Role

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
REQUIRED_ROLES = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.ADMINISTRATOR}
DEVICE_NAME = "MedIR"
RECOVERY_DEVICE_NAME = "recovery codes"


def requires_two_factor(user) -> bool:
    """Whether the person must use a second factor to log in.

    Break-glass accounts are exempt: they exist for when the phone with
    the authenticator app may be out of reach.
    """
    if not user.is_authenticated or is_break_glass_account(user):
        return False
    return user.is_staff or user.is_superuser or bool(roles_of(user) & REQUIRED_ROLES)


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def needs_code(user) -> bool:
    """Whether the session must still pass the second factor (or set one
    up) before the person may go on."""
    if not user.is_authenticated or user.is_verified():
        return False
    return requires_two_factor(user) or has_confirmed_device(user)


def secret_text(device: TOTPDevice) -> str:
    """The device's key as an authenticator app takes it when typed in:
    base32, in groups of four."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG, for the app's camera."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff"
    )


PENDING_SESSION_KEY = "medir_pending_totp_device"


def pending_device(user, session) -> TOTPDevice:
    """The device being set up in this session: the same one on every
    reload, so that a code scanned a moment ago still works, but with a new
    key in any other session, so that a key seen by someone else who knew
    the password is worthless once the owner sets up their app."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    elif session.get(PENDING_SESSION_KEY) != device.pk:
        device.key = random_hex(20)
        device.save(update_fields=["key"])
    session[PENDING_SESSION_KEY] = device.pk
    return device


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME)
    codes = [
        base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=code) for code in codes
    )
    return codes


def confirm_enrolment(device: TOTPDevice, *, code: str, request) -> list[str] | None:
    """Confirm the device being set up with a code from the app.

    Returns the ten new recovery codes (to be shown once, never stored in
    clear), or None when the code is wrong. The session counts as verified
    with the new device.
    """
    code = normalise_code(code)
    with transaction.atomic():
        if not code.isdigit() or not device.verify_token(code):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()
        codes = _new_recovery_codes(device.user)
        append_audit_record(
            actor=device.user,
            action="two_factor.enrolled",
            object_type="auth.user",
            object_id=str(device.user_id),
            after={"device": "totp", "recovery_codes": len(codes)},
        )
    otp_login(request, device)
    request.session.cycle_key()
    logger.info("Two-factor device confirmed user_id=%s", device.user_id)
    return codes


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@dataclass(frozen=True)
class CodeCheck:
    ok: bool
    # Only when ok: "totp" or "recovery".
    method: str = ""
    recovery_codes_left: int = 0
    # Not ok because django-otp is slowing the device down after failures.
    throttled: bool = False


def check_code(user, *, code: str, request) -> CodeCheck:
    """Verify a code from the app or a recovery code, and mark the session
    verified when it is right. A recovery code works once."""
    code = normalise_code(code)
    with transaction.atomic():
        devices = list(devices_for_user(user, for_verify=True))
        totp = [d for d in devices if isinstance(d, TOTPDevice)]
        static = [d for d in devices if isinstance(d, StaticDevice)]
        candidates = totp if code.isdigit() and len(code) <= 8 else static
        if any(not device.verify_is_allowed()[0] for device in candidates):
            return CodeCheck(ok=False, throttled=True)
        device = next((d for d in candidates if d.verify_token(code)), None)
        if device is None:
            return CodeCheck(ok=False)

        method = "totp" if isinstance(device, TOTPDevice) else "recovery"
        left = device.token_set.count() if method == "recovery" else 0
        append_audit_record(
            actor=user,
            action=(
                "two_factor.verified"
                if method == "totp"
                else "two_factor.recovery_code_used"
            ),
            object_type="auth.user",
            object_id=str(user.pk),
            after={"method": method, "recovery_codes_left": left}
            if method == "recovery"
            else {"method": method},
        )
    otp_login(request, device)
    request.session.cycle_key()
    logger.info("Two-factor check passed user_id=%s method=%s", user.pk, method)
    return CodeCheck(ok=True, method=method, recovery_codes_left=left)


@dataclass(frozen=True)
class ResetPlan:
    user_id: int
    totp_devices: int
    recovery_codes: int


def plan_two_factor_reset(username: str) -> ResetPlan:
    """What resetting a person's second factor would remove. Raises
    DoesNotExist for an unknown user name."""
    user = get_user_model().objects.get(username=username)
    return ResetPlan(
        user_id=user.pk,
        totp_devices=TOTPDevice.objects.filter(user_id=user.pk).count(),
        recovery_codes=StaticToken.objects.filter(device__user_id=user.pk).count(),
    )


def reset_two_factor(user, *, actor) -> ResetPlan:
    """Remove a person's authenticator app and recovery codes (a lost
    phone); they set up a new app at their next log-in. Their sessions
    stop counting as verified at once."""
    with transaction.atomic():
        plan = plan_two_factor_reset(user.get_username())
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        append_audit_record(
            actor=actor,
            action="two_factor.reset",
            object_type="auth.user",
            object_id=str(user.pk),
            before={
                "totp_devices": plan.totp_devices,
                "recovery_codes": plan.recovery_codes,
            },
        )
    logger.info("Two-factor reset user_id=%s", user.pk)
    return plan
