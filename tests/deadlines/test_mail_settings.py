"""The e-mail settings of reminders: a bad value stops start-up."""

import pytest

from tests.test_cli import run


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIR_SMTP_PORT": "smtp"}, "MEDIR_SMTP_PORT='smtp' is not a whole number"),
        ({"MEDIR_SMTP_PORT": "70000"}, "MEDIR_SMTP_PORT=70000 is out of range"),
        ({"MEDIR_SMTP_TLS": "maybe"}, "MEDIR_SMTP_TLS='maybe' is not a yes/no"),
        (
            {"MEDIR_SMTP_HOST": "mail.example.jp:25"},
            "MEDIR_SMTP_HOST='mail.example.jp:25' is not a host name",
        ),
        (
            {"MEDIR_SMTP_HOST": "mail.example.jp"},
            "MEDIR_SMTP_HOST is set but MEDIR_MAIL_FROM is not",
        ),
        (
            {"MEDIR_SMTP_HOST": "mail.example.jp", "MEDIR_MAIL_FROM": "medir"},
            "MEDIR_MAIL_FROM='medir' is not an e-mail address",
        ),
        ({"MEDIR_REMINDER_DAYS": "-1"}, "MEDIR_REMINDER_DAYS=-1 is out of range"),
        ({"MEDIR_REMINDER_INTERVAL": "1"}, "MEDIR_REMINDER_INTERVAL=1 is out of range"),
    ],
)
def test_a_bad_mail_setting_stops_start_up_naming_it(tmp_path, env, message):
    result = run("manage", "check", data_dir=tmp_path, env=env)

    assert result.returncode == 2
    assert message in result.stderr


def test_a_complete_mail_setting_starts(tmp_path):
    env = {
        "MEDIR_SMTP_HOST": "mail.example.jp",
        "MEDIR_SMTP_PORT": "465",
        "MEDIR_MAIL_FROM": "medir@hospital.example.jp",
        "MEDIR_REMINDER_DAYS": "2",
    }

    result = run(
        "manage",
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_USE_SSL, s.EMAIL_USE_TLS, s.MEDIR_REMINDER_DAYS)",
        data_dir=tmp_path,
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "False", "2"]
