"""The password backend, which keeps break-glass accounts to their page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from medir.accounts.models import BreakGlassAccount, BreakGlassState


class AccountBackend(ModelBackend):
    """Django's model backend, except that break-glass accounts log in only
    with ``break_glass=True`` (the break-glass page), and every other
    account never does there. A sealed break-glass account is inactive
    until that page opens it."""

    def authenticate(
        self, request, username=None, password=None, break_glass=False, **kwargs
    ):
        if not break_glass:
            user = super().authenticate(request, username, password, **kwargs)
            if user is not None and is_break_glass_account(user):
                return None
            return user

        account = (
            BreakGlassAccount.objects.select_related("user")
            .filter(
                user__username=username,
                state__in=[BreakGlassState.SEALED, BreakGlassState.USED],
            )
            .first()
        )
        if account is None or password is None:
            # Hash anyway, so that timing does not tell which names exist.
            get_user_model()().set_password(password or "")
            return None
        if account.user.check_password(password):
            return account.user
        return None


def is_break_glass_account(user) -> bool:
    cached = getattr(user, "_medir_break_glass", None)
    if cached is None:
        cached = BreakGlassAccount.objects.filter(user_id=user.pk).exists()
        user._medir_break_glass = cached
    return cached
