import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medir.evidence.services import EvidenceError, verify_bundle


class Command(BaseCommand):
    help = "Work with evidence bundles. `bundle verify FILE` checks one offline."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute each file's SHA-256 against the manifest"
        )
        verify.add_argument("file")

    def handle(self, *args, action: str, file: str, **options):
        if not Path(file).is_file():
            raise CommandError(f"No such file: {file}")
        try:
            check = verify_bundle(file)
        except (zipfile.BadZipFile, EvidenceError, ValueError) as error:
            raise CommandError(f"Not a readable evidence bundle: {error}") from error
        manifest, problems = check.manifest, check.problems
        # Printed first, so it can be compared with the export's audit
        # record and the bundle's PDF even when a file fails.
        self.stdout.write(f"manifest.json SHA-256 {check.manifest_sha256}")

        for problem in problems:
            self.stderr.write(f"{problem.problem}: {problem.name}")
        if problems:
            raise CommandError(
                f"Bundle {file} failed: {len(problems)} file(s) missing or changed."
            )
        head = manifest.get("audit_chain_head", {})
        self.stdout.write(
            f"Bundle intact: incident {manifest.get('incident')}, "
            f"{len(manifest.get('items', []))} items, "
            f"audit chain head #{head.get('id')} {head.get('digest')}"
        )
