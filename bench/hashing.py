"""Evidence hashing throughput: MedIR against sha256sum and openssl.

Generates a file of random bytes once (default 2 GiB, build/bench-hash.bin),
reads it once so every tool starts from the page cache, then hashes it in
the same run with

  medir-function  MedIR's own hashing.sha256_of_file, in a fresh Python
  medir-command   `medir evidence hash PATH`, the command people use
  sha256sum       GNU coreutils
  openssl         `openssl dgst -sha256`

and prints wall time, MB/s and each child's peak memory (ru_maxrss), and
whether all digests agree. It measures; it never fails on a time.

    .venv/bin/python bench/hashing.py [--size-mib 2048] [--file PATH]
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from children import measure

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "build" / "benchmarks.md"
MiB = 1024 * 1024


def ensure_file(path: Path, size: int) -> None:
    if path.is_file() and path.stat().st_size == size:
        return
    print(f"Writing {size // MiB} MiB of random bytes to {path} …", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        left = size
        while left:
            chunk = os.urandom(min(left, 8 * MiB))
            out.write(chunk)
            left -= len(chunk)


def warm(path: Path) -> None:
    with open(path, "rb") as stream:
        while stream.read(8 * MiB):
            pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=2048)
    parser.add_argument("--file", type=Path, default=ROOT / "build" / "bench-hash.bin")
    options = parser.parse_args(argv)

    size = options.size_mib * MiB
    ensure_file(options.file, size)
    warm(options.file)
    path = str(options.file)
    data_dir = tempfile.mkdtemp(prefix="medir-bench-hash-")
    env = {**os.environ, "MEDIR_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    function = (
        "import sys; from medir.evidence.hashing import sha256_of_file; "
        "print(sha256_of_file(sys.argv[1]))"
    )
    tools = {
        "medir-function (hashing.sha256_of_file)": [
            sys.executable,
            "-c",
            function,
            path,
        ],
        "medir-command (medir evidence hash)": [
            sys.executable,
            "-m",
            "medir",
            "evidence",
            "hash",
            path,
        ],
        "sha256sum": ["sha256sum", path],
        "openssl dgst -sha256": ["openssl", "dgst", "-sha256", "-r", path],
    }

    rows, digests, peak_source = [], set(), "not measured"
    try:
        for name, args in tools.items():
            if shutil.which(args[0]) is None:
                rows.append(f"| {name} | not installed | | | |")
                continue
            print(f"Hashing with {name} …", file=sys.stderr)
            run = measure(args, env=env)
            if run.returncode != 0:
                rows.append(f"| {name} | failed: {run.stderr.strip()[:60]} | | | |")
                continue
            digest = run.stdout.split()[0]
            peak_source = run.peak_source
            digests.add(digest)
            rows.append(
                f"| {name} | {run.seconds:.2f} | {size / MiB / run.seconds:.0f} "
                f"| {run.peak_mib:.1f} | `{digest[:16]}…` |"
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    summary = "\n".join(
        [
            f"### Evidence hashing: {options.size_mib} MiB of random bytes "
            "(from the page cache)",
            "",
            "| tool | seconds | MiB/s | peak RSS MiB | SHA-256 |",
            "| --- | ---: | ---: | ---: | --- |",
            *rows,
            "",
            f"Peak memory: {peak_source}. All digests agree."
            if len(digests) == 1
            else f"DIGESTS DIFFER: {sorted(digests)}",
            "",
        ]
    )
    print(summary)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(summary + "\n")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
