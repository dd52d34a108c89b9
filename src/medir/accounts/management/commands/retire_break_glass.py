from django.core.management.base import BaseCommand, CommandError

from medir.accounts.break_glass import retire_break_glass_account
from medir.accounts.models import BreakGlassAccount


class Command(BaseCommand):
    help = (
        "After an incident: disable a break-glass account, or with --reseal "
        "give it a new password (printed once) and seal it again. A dry run "
        "unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="keep the account for the next incident with a new password",
        )
        parser.add_argument("--yes", action="store_true", help="really do it")

    def handle(self, *args, username: str, reseal: bool, yes: bool, **options):
        account = (
            BreakGlassAccount.objects.select_related("user")
            .filter(user__username=username)
            .first()
        )
        if account is None:
            raise CommandError(
                f"No break-glass account named {username!r}; nothing was changed."
            )
        what = "seal again with a new password" if reseal else "retire (disable)"
        if not yes:
            self.stdout.write(
                f"Would {what} break-glass account {username} (now "
                f"{account.get_state_display()}). Nothing was changed; run again "
                "with --yes."
            )
            return
        password = retire_break_glass_account(account, actor=None, reseal=reseal)
        if password:
            self.stdout.write(
                f"Break-glass account {username} sealed again.\n\n"
                f"    User name: {username}\n"
                f"    Password:  {password}\n\n"
                "This password is shown only now: put it in a new sealed envelope."
            )
        else:
            self.stdout.write(
                f"Break-glass account {username} retired; it cannot log in any more."
            )
