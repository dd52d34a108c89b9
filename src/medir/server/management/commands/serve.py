import logging

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from waitress import create_server

from medir.deadlines.clock import load_rules
from medir.deadlines.scheduler import start_reminder_scheduler
from medir.evidence.services import max_upload_bytes
from medir.evidence.uploads import FORM_ALLOWANCE
from medir.kit.checks import check_public_url
from medir.organisation.models import Hospital
from medir.playbook.schema import get_playbook

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve MedIR with a production WSGI server (waitress) and its static files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, default=8, help="worker threads (default 8)"
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not apply pending database migrations first",
        )

    def handle(self, *args, threads: int, no_migrate: bool, **options):
        # A broken playbook or rules file must stop start-up, not the first
        # incident.
        get_playbook()
        load_rules()
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)

        # WhiteNoise indexes the static folder when the application is
        # built, so build it only after collectstatic has filled it.
        from medir.wsgi import application

        host, port = settings.LISTEN_HOST, settings.LISTEN_PORT
        try:
            server = create_server(
                application,
                host=host,
                port=port,
                threads=threads,
                ident="MedIR",
                # waitress reads a whole body before MedIR sees it and by
                # default refuses more than 1 GiB: allow the evidence
                # limit, and refuse a larger announced body before reading.
                max_request_body_size=max_upload_bytes() + FORM_ALLOWANCE,
            )
        except OSError as error:
            raise CommandError(
                f"Cannot listen on {host}:{port} ({error.strerror}). Is another "
                "MedIR already running? Choose another port with MEDIR_LISTEN."
            ) from None

        if not Hospital.objects.exists():
            self.stderr.write(
                "This data folder has no hospital yet: run `medir init` (a real "
                "hospital) or `medir demo` (the demo), or check MEDIR_DATA_DIR."
            )
        self.stdout.write(
            f"MedIR listening on http://{host}:{port}/ "
            f"(public URL {settings.PUBLIC_URL})"
        )
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        for warning in check_public_url():
            self.stderr.write(f"Warning: {warning.msg}\n  {warning.hint}")
        logger.info("Server starting host=%s port=%s threads=%s", host, port, threads)
        # Deadline reminders run in this process, so the embedded install
        # needs no second server or cron entry.
        scheduler = start_reminder_scheduler()
        try:
            server.run()
        finally:
            scheduler.shutdown(wait=False)
            logger.info("Reminder job stopped")
