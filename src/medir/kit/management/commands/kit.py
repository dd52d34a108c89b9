import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from medir.kit.checks import public_url_is_this_machine
from medir.kit.models import PrintedVia
from medir.kit.pdf import build_kit
from medir.kit.services import record_kit_printed


class Command(BaseCommand):
    help = "Write the paper kit (紙運用キット) as one PDF to FILE and record the print."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the PDF, e.g. kit.pdf")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        # Checked first: drawing the kit takes seconds.
        if path.is_dir():
            raise CommandError(f"Cannot write the kit to {file}: it is a folder.")
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write the kit to {file}: no such folder.")
        if not os.access(path.parent, os.W_OK):
            raise CommandError(f"Cannot write the kit to {file}: permission denied.")
        kit = build_kit()
        try:
            path.write_bytes(kit.pdf)
        except OSError as error:
            raise CommandError(
                f"Cannot write the kit to {file}: {error.strerror or error}"
            ) from error
        # Recorded only once the file exists: a failed write is no print.
        record_kit_printed(kit, actor=None, via=PrintedVia.COMMAND)
        if public_url_is_this_machine():
            self.stderr.write(
                f"Warning: the posters' QR codes lead to {settings.PUBLIC_URL}, "
                "an address of this computer only; set MEDIR_PUBLIC_URL."
            )
        self.stdout.write(
            f"Wrote the paper kit to {file}: {kit.pages} pages, "
            f"data version {kit.data_version}, "
            f"audit chain head #{kit.chain_head_id}"
        )
