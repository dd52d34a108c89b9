from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from medir.accounts.break_glass import DEFAULT_ROLES, create_break_glass_account


class Command(BaseCommand):
    help = (
        "Create a sealed break-glass account for when the normal log-in "
        "cannot be used, and print its password once for a sealed envelope. "
        "Only its hash is stored; the account works only on the /break-glass/ "
        "page."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--roles",
            default=",".join(DEFAULT_ROLES),
            help="comma-separated: management, security_manager, staff "
            "(default: security_manager,management)",
        )

    def handle(self, *args, username: str, roles: str, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(
                f"A user named {username!r} exists already; nothing was changed."
            )
        role_list = [role.strip() for role in roles.split(",") if role.strip()]
        try:
            _account, password = create_break_glass_account(
                actor=None, username=username, roles=role_list
            )
        except ValueError as error:
            raise CommandError(f"{error}. Nothing was changed.") from None
        self.stdout.write(
            f"Break-glass account {username} created "
            f"(roles: {', '.join(role_list)}), sealed until first use.\n\n"
            f"    User name: {username}\n"
            f"    Password:  {password}\n\n"
            "This password is shown only now: write it down for the sealed "
            "envelope. Log-in only at /break-glass/; each use is recorded, "
            "shown on the dashboard and mailed to the administrators."
        )
