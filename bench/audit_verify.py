"""`medir audit verify` on a large audit chain: time and peak memory.

Builds a fresh SQLite data folder, fills its chain with N records (default
one million) through a bulk path, then times `medir audit verify` as a
child process and reports its peak memory (GNU time).

The bulk path is not ``append_audit_record`` (one transaction and two
writes per record would take hours for a million): it computes each
digest with the chain's own ``compute_digest`` over ``record_content``,
assigns the ids itself and inserts 10,000 rows per ``bulk_create``. The
result is a valid chain, which the verify run then proves.

    .venv/bin/python bench/audit_verify.py [--records 1000000] [--keep]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from children import measure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "build" / "benchmarks.md"

FILL = """
import datetime as dt, sys, time
from django.db import transaction
from django.utils import timezone
from medir.audit.models import AuditRecord
from medir.audit.services import GENESIS_DIGEST, compute_digest, record_content

total, batch_size = {records}, 10_000
started = time.perf_counter()
previous = GENESIS_DIGEST
base = timezone.now().replace(microsecond=0) - dt.timedelta(seconds=total)
next_id = 1
while next_id <= total:
    batch = []
    for pk in range(next_id, min(next_id + batch_size, total + 1)):
        record = AuditRecord(
            id=pk,
            recorded_at=base + dt.timedelta(seconds=pk),
            actor=None,
            actor_label="system",
            action="bench.record",
            object_type="bench",
            object_id=str(pk),
            before=None,
            after={{"n": pk}},
            previous_digest=previous,
        )
        record.digest = compute_digest(
            previous_digest=previous, content=record_content(record)
        )
        previous = record.digest
        batch.append(record)
    with transaction.atomic():
        AuditRecord.objects.bulk_create(batch)
    next_id += batch_size
print(f"filled {{total}} in {{time.perf_counter() - started:.1f}} s", flush=True)
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    options = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="medir-bench-audit-"))
    env = {**os.environ, "MEDIR_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    medir = [sys.executable, "-m", "medir"]
    try:
        subprocess.run([*medir, "manage", "migrate", "-v", "0"], env=env, check=True)
        print(f"Filling {options.records:,} audit records …", file=sys.stderr)
        fill = FILL.format(records=options.records)
        filled = subprocess.run(
            [*medir, "manage", "shell", "-c", fill],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        filled_line = filled.stdout.strip().splitlines()[-1]
        print(filled_line, file=sys.stderr)
        database = data_dir / "medir.sqlite3"
        size_mib = database.stat().st_size / 1024 / 1024
        print("Running medir audit verify …", file=sys.stderr)
        run = measure([*medir, "audit", "verify"], env=env)
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    outcome = (run.stdout or run.stderr).strip().splitlines()
    summary = "\n".join(
        [
            f"### medir audit verify: {options.records:,} records "
            f"(SQLite, {size_mib:.0f} MiB database)",
            "",
            "| records | exit | seconds | records/s | peak RSS MiB |",
            "| ---: | ---: | ---: | ---: | ---: |",
            f"| {options.records:,} | {run.returncode} | {run.seconds:.1f} "
            f"| {options.records / run.seconds:,.0f} | {run.peak_mib:.1f} |",
            "",
            f"Output: {outcome[-1] if outcome else ''}",
            f"Chain filled by the bulk path ({filled_line}); peak "
            f"memory: {run.peak_source}.",
            "",
        ]
    )
    print(summary)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(summary + "\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
