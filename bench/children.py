"""Run a benchmark's child process and measure it: wall time and the
child's own peak memory.

The peak comes from GNU time (``/usr/bin/time -f %M``): Python's
subprocess starts children with vfork, and Linux then counts the parent's
resident memory in the child's ru_maxrss. time itself is small, so the
figure it reports is the tool's own. Without GNU time, ru_maxrss from
wait4 is used and says so (it includes the ~30 MiB of the parent).
"""

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

GNU_TIME = "/usr/bin/time"


@dataclass
class Measured:
    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str
    peak_source: str


def measure(args: list[str], *, env: dict | None = None) -> Measured:
    use_time = shutil.which(GNU_TIME) is not None
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        command = [GNU_TIME, "-f", "%M", "-o", report.name, *args] if use_time else args
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        out, err = process.communicate()
        seconds = time.perf_counter() - started
        if use_time:
            lines = [line for line in report.read().splitlines() if line.strip()]
            peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
            source = "GNU time %M"
        else:
            peak_kib = float("nan")
            source = "not measured (install GNU time)"
    return Measured(seconds, peak_kib / 1024, process.returncode, out, err, source)
