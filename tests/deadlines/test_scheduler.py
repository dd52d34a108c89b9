"""`medir serve` runs the reminder job itself, in its own process."""

import subprocess
import sys
import textwrap
import time

import pytest
from django.core.management import call_command

from medir.deadlines import scheduler as scheduler_module
from medir.server.management.commands import serve as serve_command
from tests.deadlines.smtp import SmtpServer, free_port
from tests.processes import child_env


def test_serve_starts_the_reminder_scheduler_and_shuts_it_down(monkeypatch, db):
    started = []
    seen_while_serving = {}

    def start(**kwargs):
        scheduler = scheduler_module.start_reminder_scheduler(interval=3600)
        started.append(scheduler)
        return scheduler

    class FakeServer:
        def run(self):
            scheduler = started[0]
            seen_while_serving["running"] = scheduler.running
            seen_while_serving["job"] = scheduler.get_job(scheduler_module.JOB_ID)

    monkeypatch.setattr(serve_command, "start_reminder_scheduler", start)
    monkeypatch.setattr(
        serve_command, "create_server", lambda application, **kwargs: FakeServer()
    )

    call_command("serve", "--no-migrate")

    assert seen_while_serving["running"] is True
    assert seen_while_serving["job"] is not None
    assert started[0].running is False


def test_the_scheduler_is_shut_down_when_the_server_fails(monkeypatch, db):
    started = []

    def start(**kwargs):
        started.append(scheduler_module.start_reminder_scheduler(interval=3600))
        return started[-1]

    class FailingServer:
        def run(self):
            raise RuntimeError("the server stopped")

    monkeypatch.setattr(serve_command, "start_reminder_scheduler", start)
    monkeypatch.setattr(
        serve_command, "create_server", lambda application, **kwargs: FailingServer()
    )

    with pytest.raises(RuntimeError):
        call_command("serve", "--no-migrate")
    assert started[0].running is False


# A hospital with a director who has an e-mail address, and a ransomware
# incident noticed 10 days ago: its 速報 target is overdue.
SETUP = textwrap.dedent(
    """
    import datetime as dt
    from django.utils import timezone
    from medir.incidents import services
    from medir.organisation.services import create_person

    person = create_person(
        actor=None, display_name="病院長C", roles=["management"],
        username="director", password="correct horse battery staple",
    )
    person.user.email = "director@hospital.example.jp"
    person.user.save()
    services.file_report(
        actor=None, reporter_name="看護師A", signs=["ransom_note"],
        happened_at=timezone.now() - dt.timedelta(days=10),
        source="transcribed",
    )
    """
)


def test_serve_mails_an_overdue_reminder_to_a_real_smtp_server(tmp_path):
    env = child_env(
        tmp_path, MEDIR_LISTEN=f"127.0.0.1:{free_port()}", MEDIR_LOG_LEVEL="INFO"
    )
    medir = [sys.executable, "-m", "medir"]
    for command in (["manage", "migrate"], ["manage", "shell", "-c", SETUP]):
        subprocess.run(
            [*medir, *command], env=env, check=True, capture_output=True, timeout=120
        )

    with SmtpServer() as smtp:
        process = subprocess.Popen(
            [*medir, "serve", "--threads", "2", "--no-migrate"],
            env={
                **env,
                "MEDIR_SMTP_HOST": "127.0.0.1",
                "MEDIR_SMTP_PORT": str(smtp.port),
                "MEDIR_SMTP_TLS": "0",
                "MEDIR_MAIL_FROM": "medir@hospital.example.jp",
                "MEDIR_REMINDER_INTERVAL": "5",
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            arrived = smtp.inbox.wait_for(2, timeout=60)
            # Further runs of the job (every 5 s) send nothing new.
            time.sleep(6)
        finally:
            process.terminate()
            output, _ = process.communicate(timeout=20)

    assert arrived, output
    # The 速報 target and outer limit, once each, although the job ran again.
    assert len(smtp.inbox.messages) == 2, output
    assert set(smtp.inbox.recipients) == {"director@hospital.example.jp"}
    assert "期限超過" in smtp.inbox.messages[0]["Subject"]
    assert "Reminder job scheduled interval_seconds=5" in output
    assert "Reminder sent incident_id=1 clock=preliminary_target" in output
