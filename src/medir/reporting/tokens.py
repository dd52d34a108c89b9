"""The link to a report's thank-you page.

Report ids count up, so a plain id in the URL would let anyone page
through every report. The link carries the id signed with the
installation's secret key instead; it names the report but cannot be
made up.
"""

import datetime as dt

from django.core import signing

SALT = "medir.reporting.sent"

# Long enough to reload the page on the next shift, short enough that an
# old link in a browser history stops working.
MAX_AGE = dt.timedelta(days=7)


def make_sent_token(report_id: int) -> str:
    return signing.dumps(report_id, salt=SALT)


def read_sent_token(token: str) -> int | None:
    """The report id in a genuine, unexpired token, else None."""
    try:
        report_id = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return report_id if isinstance(report_id, int) else None
