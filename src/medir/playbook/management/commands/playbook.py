import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medir.playbook.schema import PlaybookError, get_playbook, load_playbook_file


class Command(BaseCommand):
    help = "Show the installation's playbook or validate a playbook file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="list the steps")
        show.add_argument("--json", action="store_true", help="print the steps as JSON")
        validate = sub.add_parser("validate", help="check a playbook file")
        validate.add_argument("file", type=Path)

    def handle(self, *args, action: str, **options):
        if action == "validate":
            return self.validate(options["file"])
        try:
            playbook = get_playbook()
        except PlaybookError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            steps = [
                {
                    "id": step.id,
                    "title": step.title,
                    "title_en": step.title_en,
                    "phase": step.phase,
                    "roles": list(step.roles),
                    "vendor_assists": step.vendor_assists,
                    "next": sorted(
                        {a.target for a in playbook.arrows_out_of(step.id)},
                        key=lambda s: [int(p) for p in s.split("-") if p.isdigit()],
                    ),
                    "decisions": [
                        {
                            "id": d.id,
                            "kind": d.kind,
                            "outcomes": [o.key for o in d.outcomes],
                        }
                        for d in playbook.decisions_at(step.id)
                    ],
                    "checklist": [item.key for item in step.checklist],
                    "records": [
                        {
                            "key": field.key,
                            "type": field.type,
                            **(
                                {"choices": [c.key for c in field.choices]}
                                if field.choices
                                else {}
                            ),
                        }
                        for field in step.records
                    ],
                }
                for step in playbook.steps
            ]
            self.stdout.write(json.dumps(steps, ensure_ascii=False, indent=2))
            return
        for step in playbook.steps:
            roles = ", ".join(step.roles)
            nexts = ", ".join(
                dict.fromkeys(a.target for a in playbook.arrows_out_of(step.id))
            )
            self.stdout.write(f"{step.id:5} {step.title}  [{roles}]  -> {nexts or '-'}")

    def validate(self, path: Path) -> None:
        try:
            playbook = load_playbook_file(path)
        except PlaybookError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{path}: valid playbook, {len(playbook.steps)} steps, "
            f"{len(playbook.decisions)} decisions, {len(playbook.arrows)} arrows."
        )
