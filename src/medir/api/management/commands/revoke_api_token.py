from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from medir.api.models import ApiToken
from medir.api.services import ApiTokenError, revoke_api_token


class Command(BaseCommand):
    help = (
        "Revoke API tokens: one by the prefix shown when it was issued, or all "
        "of one account's with --user. --list shows the active tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "prefix", nargs="?", default="", help="the token's prefix, medir_…"
        )
        parser.add_argument("--user", default="", help="revoke all of this account's")
        parser.add_argument(
            "--list",
            action="store_true",
            dest="list_tokens",
            help="list the active tokens and change nothing",
        )

    def handle(self, *args, prefix: str, user: str, list_tokens: bool, **options):
        active = ApiToken.objects.filter(revoked_at=None).select_related("user")
        if list_tokens:
            for row in active.order_by("user__username", "created_at"):
                used = (
                    timezone.localtime(row.last_used_at).isoformat(timespec="minutes")
                    if row.last_used_at
                    else "never used"
                )
                self.stdout.write(
                    f"{row.prefix}\t{row.user.get_username()}\t{used}\t{row.label}"
                )
            return

        if bool(prefix) == bool(user):
            raise CommandError("Give either a token prefix or --user USERNAME.")
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No account named {user!r}; nothing was revoked.")
            rows = list(active.filter(user=account))
        else:
            rows = list(active.filter(prefix=prefix.rstrip("…")))
            if len(rows) > 1:
                raise CommandError(
                    f"{len(rows)} active tokens start with {prefix!r}; revoke them "
                    "with --user instead. Nothing was revoked."
                )
        if not rows:
            raise CommandError("No active token matches; nothing was revoked.")

        for row in rows:
            try:
                revoke_api_token(row, actor=None)
            except ApiTokenError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Revoked {row.prefix}… ({row.user.get_username()})")
