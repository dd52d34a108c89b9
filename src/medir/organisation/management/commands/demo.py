import unicodedata

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from medir.accounts.two_factor import REQUIRED_ROLES
from medir.organisation.demo import (
    ADMIN,
    HOSPITAL_NAME,
    PEOPLE,
    demo_logins,
    load_demo_hospital,
)
from medir.organisation.models import Hospital


def _width(text: str) -> int:
    """Columns a string takes in a terminal: Japanese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [
        max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))
    ]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def two_factor_note() -> str:
    """How the demo's second factor works, for whoever tries it."""
    asked = [
        spec.username
        for spec in (*PEOPLE, ADMIN)
        if set(spec.roles) & {str(role) for role in REQUIRED_ROLES}
    ]
    return (
        "\n\n二要素認証 / Two-factor authentication: "
        f"{', '.join(asked)} set up an authenticator app at their first "
        "log-in (scan the QR code with Google Authenticator, Microsoft "
        "Authenticator or FreeOTP, or type the key shown; then keep the "
        "recovery codes). The other log-ins need no app. To start a log-in's "
        "app over: `medir manage reset_two_factor USER --yes`."
    )


class Command(BaseCommand):
    help = (
        "Load the fictional demo hospital into an empty database and print its "
        "log-ins. Refuses when the database already has a hospital."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="load only into an empty database; otherwise say what is there "
            "and succeed (used by `make run`)",
        )

    def handle(self, *args, if_empty: bool, **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Demo people and passwords must never mix with a real hospital's data.
        hospital = Hospital.objects.first()
        if hospital is not None and if_empty:
            if hospital.is_demo:
                self.stdout.write(
                    "The demo hospital is already loaded. Demo log-ins:\n"
                )
                self.stdout.write(
                    format_table(("user", "password", "role"), demo_logins())
                    + two_factor_note()
                )
            else:
                self.stdout.write(
                    "This data folder holds a real hospital; the demo was not loaded."
                )
            return
        if hospital is not None:
            raise CommandError(
                "The database already has data (a hospital exists); the demo is "
                "only loaded into an empty database. Nothing was changed. Use "
                "another MEDIR_DATA_DIR to try the demo."
            )
        with transaction.atomic():
            logins = load_demo_hospital(actor=None)
        self.stdout.write(
            f"Demo hospital {HOSPITAL_NAME} loaded (fictional data; every row is "
            "in the audit log). Demo log-ins:\n"
        )
        self.stdout.write(
            format_table(("user", "password", "role"), logins) + two_factor_note()
        )
        # `make run` starts the server itself right after this command.
        login_url = f"{settings.PUBLIC_URL.rstrip('/')}/login/"
        start = "Log in at" if if_empty else "Start MedIR with `medir serve`, log in at"
        self.stdout.write(
            "\nThe shared demo password is for trying MedIR out only. "
            f"{start} {login_url}"
        )
