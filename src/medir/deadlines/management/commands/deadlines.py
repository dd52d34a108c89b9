import json

from django.core.management.base import BaseCommand, CommandError

from medir.deadlines.clock import compute_deadlines, load_rules
from medir.lib.dates import DateInputError, parse_typed_date


class Command(BaseCommand):
    help = (
        "Print the report deadlines that follow from an awareness date, so the "
        "rules can be checked without an incident."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--aware",
            required=True,
            help="awareness date (覚知日): 2026-12-01 or 令和8年12月1日",
        )
        parser.add_argument(
            "--wrongful-purpose",
            action="store_true",
            help="the breach may have had a wrongful purpose (規則7条3号: 60 days)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, aware: str, wrongful_purpose: bool, **options):
        try:
            aware_on = parse_typed_date(aware)
        except DateInputError as error:
            raise CommandError(f"--aware: {error}") from None
        deadlines = compute_deadlines(aware_on, wrongful_purpose=wrongful_purpose)
        counting, _rules = load_rules()

        if options["json"]:
            payload = {
                "aware": aware_on.isoformat(),
                "wrongful_purpose": wrongful_purpose,
                "counting_confirmed": counting.confirmed,
                "counting_basis": counting.basis,
            }
            for key in ("preliminary_target", "preliminary_outer", "final"):
                deadline = deadlines.get(key)
                payload[key] = deadline.due.isoformat() if deadline else None
            payload["rules"] = [
                {
                    "key": key,
                    "title": d.rule.title_ja,
                    "title_en": d.rule.title_en,
                    "due": d.due.isoformat() if d.due else None,
                    "promptly": d.due is None,
                    "days": d.day_count,
                    "moved_from": d.rolled_from.isoformat() if d.rolled_from else None,
                    "basis": d.rule.basis,
                    "statutory": d.rule.statutory,
                }
                for key, d in deadlines.items()
            ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return

        self.stdout.write(f"覚知日 / awareness: {aware_on.isoformat()}")
        for deadline in deadlines.values():
            if deadline.due is None:
                when = "速やかに / promptly"
            else:
                when = f"{deadline.due.isoformat()} ({deadline.day_count}日目)"
                if deadline.rolled_from:
                    when += (
                        f", {deadline.rolled_from.isoformat()} は閉庁日のため繰り下げ"
                    )
            self.stdout.write(f"  {deadline.rule.title_ja}: {when}")
            self.stdout.write(f"      根拠: {deadline.rule.basis}")
        if not counting.confirmed:
            self.stdout.write(
                "日数の数え方は保守的な既定値です（要確認）: 覚知日を1日目とし、"
                "閉庁日は翌開庁日へ繰り下げ。"
            )
