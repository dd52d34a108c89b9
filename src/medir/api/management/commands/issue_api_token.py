from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from medir.api.services import ApiTokenError, issue_api_token


class Command(BaseCommand):
    help = (
        "Issue a personal API token for USERNAME and print it once. Only its "
        "digest is stored: keep the printed token somewhere safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the account the token acts as")
        parser.add_argument(
            "--label", default="", help="what the token is for, e.g. a script's name"
        )

    def handle(self, *args, username: str, label: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}; nothing was issued.")
        try:
            issued = issue_api_token(user, actor=None, label=label)
        except ApiTokenError as error:
            raise CommandError(f"{error} Nothing was issued.") from None

        # The token alone on stdout, so that scripts can capture it.
        self.stdout.write(issued.token)
        self.stderr.write(
            f"Issued token {issued.row.prefix}… for {username}. It is shown only "
            "now; revoke it with `medir manage revoke_api_token "
            f"{issued.row.prefix}`."
        )
