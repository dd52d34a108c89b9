import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from medir.organisation.models import Hospital, OperatorType
from medir.organisation.services import initialise_hospital


class Command(BaseCommand):
    help = (
        "Set up a real hospital: apply migrations, create the hospital and its first "
        "administrator. No demo data. The password is asked for, or read from "
        "MEDIR_ADMIN_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hospital", required=True, help="the hospital's name")
        parser.add_argument(
            "--operator",
            choices=OperatorType.values,
            default=OperatorType.MEDICAL_CORPORATION,
            help="who runs the hospital (decides which personal-data rules apply)",
        )
        parser.add_argument(
            "--admin", required=True, help="the administrator's user name"
        )
        parser.add_argument(
            "--admin-name", default="", help="the administrator's display name"
        )

    def handle(
        self,
        *args,
        hospital: str,
        operator: str,
        admin: str,
        admin_name: str,
        **options,
    ):
        call_command("migrate", interactive=False, verbosity=0)
        if Hospital.objects.exists():
            raise CommandError(
                "This data folder already has a hospital; nothing was changed. "
                "Use another MEDIR_DATA_DIR for a new installation."
            )

        password = os.environ.get("MEDIR_ADMIN_PASSWORD", "")
        if not password:
            if not os.isatty(0):
                raise CommandError(
                    "No terminal to ask for a password: set MEDIR_ADMIN_PASSWORD."
                )
            password = getpass.getpass("Administrator password: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("The two passwords differ; nothing was changed.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(
                "Password not accepted: " + " ".join(error.messages)
            ) from None

        initialise_hospital(
            actor=None,
            name=hospital,
            operator_type=operator,
            admin_username=admin,
            admin_password=password,
            admin_display_name=admin_name or admin,
        )
        self.stdout.write(
            f"Hospital created with administrator {admin!r}. "
            "Start MedIR with `medir serve`."
        )
