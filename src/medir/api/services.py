"""Issuing, revoking and checking personal API tokens.

Issuing and revoking are audited like every other change. A token is shown
once, when issued; afterwards only its prefix identifies it.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medir.api.models import ApiToken
from medir.audit.services import append_audit_record, snapshot

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "medir_"
# "medir_" and eight random characters: enough to tell a person's tokens
# apart, far too few to help guess the remaining 35.
SHOWN_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
MAX_LABEL = 100

# Writing last_used_at on every call would turn every read into a write
# on SQLite; once a minute is precise enough to spot an unused token.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class ApiTokenError(Exception):
    """A token change that cannot be made; the message is for the user."""


@dataclass(frozen=True)
class IssuedToken:
    row: ApiToken
    # The only time the token exists outside the caller's hands.
    token: str


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_api_token(user, *, actor, label: str = "") -> IssuedToken:
    """Create a token for ``user``; the returned ``token`` is never stored."""
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise ApiTokenError(
            _("The label is too long (at most %(max)s characters).")
            % {"max": MAX_LABEL}
        )
    if not user.is_active:
        raise ApiTokenError(_("This account is not active."))

    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = ApiToken.objects.create(
            user=user,
            label=label,
            digest=token_digest(token),
            prefix=token[:SHOWN_PREFIX_LENGTH],
            created_at=timezone.now(),
        )
        append_audit_record(
            actor=actor,
            action="api_token.issued",
            obj=row,
            after=_audited(row),
        )
    logger.info("API token issued token_id=%s user_id=%s", row.pk, user.pk)
    return IssuedToken(row=row, token=token)


def revoke_api_token(row: ApiToken, *, actor) -> ApiToken:
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().get(pk=row.pk)
        if row.revoked_at is not None:
            raise ApiTokenError(_("This token has already been revoked."))
        before = _audited(row)
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        append_audit_record(
            actor=actor,
            action="api_token.revoked",
            obj=row,
            before=before,
            after=_audited(row),
        )
    logger.info("API token revoked token_id=%s user_id=%s", row.pk, row.user_id)
    return row


def _audited(row: ApiToken) -> dict:
    # The digest stays out of the audit chain: it is a credential check,
    # and the prefix already names the token.
    values = snapshot(row)
    values.pop("digest", None)
    return values


def find_active_token(token: str) -> ApiToken | None:
    """The active token row for a presented token, with its user.

    The lookup is by digest, so the time it takes says nothing about how
    much of a guessed token was right; the final comparison is constant
    time as well.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = token_digest(token)
    row = (
        ApiToken.objects.select_related("user", "user__person")
        .filter(digest=digest, revoked_at=None)
        .first()
    )
    if row is None or not hmac.compare_digest(row.digest, digest):
        return None
    if not row.user.is_active:
        return None
    return row


def mark_token_used(row: ApiToken) -> None:
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
