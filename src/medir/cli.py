"""The ``medir`` command.

``medir serve``, ``medir init``, ``medir demo``, ``medir playbook …``,
``medir replay …``, ``medir audit …``, ``medir backup``, ``medir restore``
and ``medir kit`` are MedIR's own management commands; ``medir manage …``
reaches every other Django command.
"""

import os
import sys

MEDIR_COMMANDS = {
    "serve",
    "init",
    "demo",
    "playbook",
    "replay",
    "audit",
    "deadlines",
    "evidence",
    "bundle",
    "backup",
    "restore",
    "kit",
}

USAGE = """usage: medir COMMAND [options]

  serve                  start the web application (production server)
  init                   create this hospital and its first administrator
  demo                   load the fictional demo hospital into an empty database
  playbook show [--json] list the flowchart's steps
  playbook validate FILE check a playbook file
  replay FILE            replay a scenario into a new incident
  audit verify           recompute the audit chain
  deadlines --aware DATE report deadlines from an awareness date (覚知日)
  evidence hash PATH     print a file's SHA-256 (as sha256sum does)
  bundle verify FILE     check an evidence bundle's files against its manifest
  backup FILE            copy database, evidence and audit head to one file (online)
  restore FILE [--force] restore a backup into an empty installation, verify it
  kit FILE.pdf           write the paper kit (紙運用キット) for when screens are dark
  manage ...             any Django management command (migrate, createsuperuser …)

Run `medir COMMAND --help` for a command's options.
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medir.settings")
    # The data folder holds reporters' names and numbers: files MedIR makes
    # are for the account that runs it alone.
    os.umask(0o077)
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import OperationalError, ProgrammingError

    command, rest = argv[0], argv[1:]
    # The server logs every state change for its operators; a one-off
    # command prints its own result and only needs to hear of problems.
    if command != "serve":
        os.environ.setdefault("MEDIR_LOG_LEVEL", "WARNING")
    if command == "manage":
        django_argv = ["medir manage", *rest]
    elif command in MEDIR_COMMANDS:
        django_argv = ["medir", command, *rest]
    else:
        print(f"medir: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2

    try:
        import django
        from django.core.management import execute_from_command_line

        django.setup()
        execute_from_command_line(django_argv)
    except ImproperlyConfigured as error:
        print(f"medir: configuration error: {error}", file=sys.stderr)
        return 2
    except (OperationalError, ProgrammingError) as error:
        # Most often a mistyped MEDIR_DATA_DIR, or a data folder made by an
        # older MedIR: `medir serve` migrates by itself, the others do not.
        from django.conf import settings

        print(
            f"medir: database error: {error}\n"
            f"The data folder {settings.DATA_DIR} has no MedIR database yet, "
            "or one made by an older MedIR. Check MEDIR_DATA_DIR; set up a new "
            "folder with `medir init` (or `medir demo`); after an upgrade, "
            "run `medir manage migrate` first (`medir serve` does it itself).",
            file=sys.stderr,
        )
        return 1
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    except BrokenPipeError:
        # `medir playbook show | head` closes the pipe early; that is fine.
        sys.stderr.close()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
