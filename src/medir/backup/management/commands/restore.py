from django.core.management.base import BaseCommand, CommandError

from medir.backup.services import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a `medir backup` file into an empty installation (data folder "
        "and, with DATABASE_URL, PostgreSQL database): check every file's "
        "SHA-256, put the database and evidence in place, verify the audit "
        "chain."
    )
    # The system checks would open the database that is about to be replaced.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="a file written by `medir backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite the data already in the data folder and database",
        )

    def handle(self, *args, file: str, force: bool, **options):
        try:
            result = restore_backup(file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        head = result.manifest["chain_head"]
        self.stdout.write(
            f"Restored {len(result.restored)} files from the backup of "
            f"{result.manifest['created_at']}; audit chain intact: "
            f"{result.checked} records, head #{head['id']} {head['digest']}"
        )
