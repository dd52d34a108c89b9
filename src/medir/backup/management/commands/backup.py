from django.core.management.base import BaseCommand, CommandError

from medir.backup.services import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database, the evidence files and the "
        "audit chain's head to one file, while the server keeps running."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (must not exist)")

    def handle(self, *args, file: str, **options):
        try:
            result = create_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = result.manifest
        head = manifest["chain_head"]
        self.stdout.write(
            f"Backup written to {result.path}: {len(manifest['files'])} files, "
            f"audit chain head #{head['id']} {head['digest']}"
        )
