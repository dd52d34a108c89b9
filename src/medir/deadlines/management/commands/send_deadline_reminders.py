from django.core.management.base import BaseCommand, CommandError

from medir.deadlines.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "Send the e-mail reminders of report deadlines that are due soon or "
        "overdue, once; reminders already sent are not sent again."
    )

    def handle(self, *args, **options):
        try:
            run = send_deadline_reminders()
        except Exception as error:
            # The error's own text may carry a refused address: name its
            # type only. Reminders not sent are tried again next time.
            raise CommandError(
                f"Sending a reminder failed ({type(error).__name__}); "
                "check the MEDIR_SMTP_* settings and run this again."
            ) from None
        if not run.mail_enabled:
            self.stdout.write(
                "E-mail is off (MEDIR_SMTP_HOST is not set): reminders are "
                "shown on screen only."
            )
            return
        if not run.recipients:
            self.stdout.write(
                "Nobody to remind: give management or the security manager an "
                "e-mail address."
            )
            return
        self.stdout.write(
            f"Reminders sent: {run.sent}; already sent before: {run.skipped}."
        )
