from django.core.management.base import BaseCommand, CommandError

from medir.audit.services import verify_audit_chain


class Command(BaseCommand):
    help = "Work with the audit chain. `audit verify` recomputes every digest."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the chain and name the first break")

    def handle(self, *args, action: str, **options):
        report = verify_audit_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at record #{report.first_broken_id}: "
                f"{report.problem} ({report.checked} records before it are intact)."
            )
        self.stdout.write(
            f"Audit chain intact: {report.checked} records, head {report.head_digest}"
        )
