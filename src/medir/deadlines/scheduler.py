"""The reminder job inside `medir serve`.

The embedded install is one process on a laptop: a thread of the server
runs the job, so there is no second server or cron entry to set up. Two
servers against one PostgreSQL database may both run it; the job is
idempotent (see reminders.py).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from medir.deadlines.reminders import send_deadline_reminders
from medir.lib.dates import JAPAN

logger = logging.getLogger(__name__)

JOB_ID = "deadline_reminders"


def run_reminder_job() -> None:
    """One run, on a scheduler thread with its own database connection."""
    close_old_connections()
    try:
        run = send_deadline_reminders()
    except Exception as error:
        # The exception's text may name a refused recipient's address, so
        # only its type is logged; the next run tries again.
        logger.error("Reminder job failed error=%s", type(error).__name__)
    else:
        if run.sent:
            logger.info("Reminder job finished sent=%s", run.sent)
    finally:
        connection.close()


def start_reminder_scheduler(*, interval: int | None = None) -> BackgroundScheduler:
    """Start the job now and every ``interval`` seconds after
    (MEDIR_REMINDER_INTERVAL); the caller shuts the scheduler down."""
    interval = interval or settings.MEDIR_REMINDER_INTERVAL
    # Daemon threads: a server stopped by a signal does not wait for them.
    scheduler = BackgroundScheduler(timezone=JAPAN, daemon=True)
    scheduler.add_job(
        run_reminder_job,
        "interval",
        seconds=interval,
        id=JOB_ID,
        next_run_time=timezone.now(),
        # A run still going when the next is due is not doubled, and runs
        # missed while the laptop slept collapse into one.
        max_instances=1,
        coalesce=True,
        misfire_grace_time=interval,
    )
    scheduler.start()
    logger.info("Reminder job scheduled interval_seconds=%s", interval)
    return scheduler
