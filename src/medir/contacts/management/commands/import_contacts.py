from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medir.contacts.csvfile import CsvFileError
from medir.contacts.services import import_contacts


class Command(BaseCommand):
    help = (
        "Check a contact CSV file (UTF-8 or CP932) and, with --apply, store it. "
        "Nothing is stored if any row is wrong. See medir.contacts.csvfile for "
        "the columns."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file to read")
        parser.add_argument(
            "--apply",
            action="store_true",
            help="store the contacts; without it the file is only checked",
        )

    def handle(self, *args, file: str, apply: bool, **options):
        try:
            result = import_contacts(Path(file).read_bytes(), actor=None, apply=apply)
        except (OSError, CsvFileError) as error:
            raise CommandError(str(error)) from error
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} problems found; nothing was stored."
            )

        counts = (
            f"{result.organisations} organisations, {result.people} people, "
            f"{result.channels} channels"
        )
        if apply:
            self.stdout.write(f"Imported {counts}.")
        else:
            self.stdout.write(
                f"The file is fine: {counts}. Nothing was stored; "
                "run again with --apply to import."
            )
