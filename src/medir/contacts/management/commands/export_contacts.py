from pathlib import Path

from django.core.management.base import BaseCommand

from medir.contacts.csvfile import export_contacts_csv


class Command(BaseCommand):
    help = (
        "Write the contact directory (people, outside organisations and their "
        "channels) to a CSV file in UTF-8 with BOM, as Excel opens it."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file to write")

    def handle(self, *args, file: str, **options):
        data = export_contacts_csv()
        Path(file).write_bytes(data)
        self.stdout.write(f"Wrote {len(data.splitlines()) - 1} rows to {file}.")
