from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from medir.accounts.two_factor import plan_two_factor_reset, reset_two_factor


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator app and recovery codes (a lost "
        "phone); they set up a new app at their next log-in. A dry run "
        "unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--yes", action="store_true", help="really remove the devices"
        )

    def handle(self, *args, username: str, yes: bool, **options):
        try:
            plan = plan_two_factor_reset(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f"No user named {username!r}; nothing was changed."
            ) from None
        summary = (
            f"{username}: {plan.totp_devices} authenticator app(s), "
            f"{plan.recovery_codes} unused recovery code(s)"
        )
        if not yes:
            self.stdout.write(
                f"Would remove {summary}. Nothing was changed; run again with "
                "--yes to remove them."
            )
            return
        user = get_user_model().objects.get(username=username)
        reset_two_factor(user, actor=None)
        self.stdout.write(
            f"Removed {summary}. They set up a new authenticator app at their "
            "next log-in."
        )
