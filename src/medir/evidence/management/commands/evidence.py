from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medir.evidence.hashing import sha256_of_file


class Command(BaseCommand):
    help = "Work with evidence. `evidence hash PATH` prints a file's SHA-256."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        hash_parser = sub.add_parser(
            "hash", help="print the SHA-256 of a file, as sha256sum does"
        )
        hash_parser.add_argument("path")

    def handle(self, *args, action: str, path: str, **options):
        if not Path(path).is_file():
            raise CommandError(f"No such file: {path}")
        self.stdout.write(f"{sha256_of_file(path)}  {path}")
