"""Load benchmark: the public report page and the incident page under load.

Starts ``medir serve`` (waitress) on a free loopback port with a fresh data
folder holding the demo hospital and the replayed Osaka incident, then
drives concurrent clients against

  reports   POST /report/ without an account (form, CSRF cookie and token
            fetched once per client)
  incident  GET of the Osaka incident page, logged in as the demo security
            manager through the login form (setting up the authenticator
            app there with a code computed from the key the page shows)
  mixed     half the clients reporting, half reading, at the same time

and checks afterwards that every acknowledged report (a 302 to
/report/sent/…) is stored. Prints a Markdown table and appends it to
build/benchmarks.md. It measures; it never fails because of a time.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 20]
        [--requests 2000] [--server-threads 8]
"""

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import http.client
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"  # loopback only: the benchmark never leaves the machine
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "build" / "benchmarks.md"

# The demo's security manager; the password is printed by `medir demo`
# and defined in medir/organisation/demo.py.
MANAGER = ("manager", "medir-demo-2026")

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOTP_SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
ENROL_PATH = "/accounts/two-factor/enrol/"
INCIDENT_LINK = re.compile(r'href="/incidents/([^/"]+)/"')


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


class Client:
    """One browser-like client: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, form: list[tuple[str, str]] | None = None
    ) -> tuple[int, dict[str, str], str, float]:
        """Send one request; returns status, headers, body and seconds."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            # A dropped keep-alive connection is reopened on the next call.
            self.connection.close()
            self.connection = None
            raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, dict(response.headers), text, elapsed

    def csrf_token(self, path: str) -> str:
        status, _headers, text, _elapsed = self.request("GET", path)
        match = CSRF_INPUT.search(text)
        if status != 200 or match is None:
            raise BenchError(f"GET {path} gave {status} without a CSRF token")
        return match.group(1)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    acknowledged: list[int] = field(default_factory=list)
    wall: float = 0.0
    # Server CPU seconds spent during the phase (user + system).
    server_cpu: float = float("nan")
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, ok: bool, report_id: int | None = None):
        with self.lock:
            self.latencies.append(seconds)
            if not ok:
                self.errors += 1
            if report_id is not None:
                self.acknowledged.append(report_id)


def report_id_from(location: str) -> int | None:
    """The report id inside a thank-you link.

    The link's token is Django's signed value: URL-safe base64 of the JSON
    id, then the timestamp and signature. Reading it needs no key; only
    making one does.
    """
    match = re.search(r"/report/sent/([^/]+)/", location)
    if match is None:
        return None
    payload = match.group(1).split(":", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, int) else None


def report_form(token: str, number: int) -> list[tuple[str, str]]:
    sign = "ransom_note" if number % 2 else "slow_or_stopped"
    return [
        ("csrfmiddlewaretoken", token),
        ("name", f"負荷試験 {number}"),
        ("department", "東4病棟"),
        ("callback_number", "内線 4000"),
        ("signs", sign),
        ("seen_since", ""),
        ("description", "負荷試験による報告です。"),
    ]


class Budget:
    """Stops every worker at a request count or a deadline, whichever first.

    With ``pace`` each client sends at most one request per ``pace``
    seconds, like a person who reads the answer before the next click;
    without it clients send again at once (a closed loop).
    """

    def __init__(self, requests: int, seconds: float, pace: float = 0.0):
        self.left = requests
        self.deadline = time.monotonic() + seconds
        self.pace = pace
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() >= self.deadline:
                return False
            self.left -= 1
            return True

    def wait(self, started: float) -> None:
        if self.pace:
            time.sleep(max(0.0, self.pace - (time.monotonic() - started)))

    def stagger(self) -> None:
        """People do not click in step: a paced client starts at a random
        point of its first interval rather than all at the same moment."""
        if self.pace:
            time.sleep(random.uniform(0.0, self.pace))


def reporter(port: int, phase: Phase, budget: Budget, numbers) -> None:
    client = Client(port)
    try:
        token = client.csrf_token("/report/")
        budget.stagger()
        while budget.take():
            started = time.monotonic()
            try:
                status, headers, _text, seconds = client.request(
                    "POST", "/report/", report_form(token, next(numbers))
                )
            except (OSError, http.client.HTTPException):
                phase.record(0.0, ok=False)
                continue
            location = headers.get("Location", "")
            report_id = report_id_from(location) if status == 302 else None
            phase.record(seconds, ok=report_id is not None, report_id=report_id)
            budget.wait(started)
    finally:
        client.close()


def reader(port: int, phase: Phase, budget: Budget, session: dict, path: str):
    client = Client(port)
    client.cookies.update(session)
    try:
        budget.stagger()
        while budget.take():
            started = time.monotonic()
            try:
                status, _headers, _text, seconds = client.request("GET", path)
            except (OSError, http.client.HTTPException):
                phase.record(0.0, ok=False)
                continue
            phase.record(seconds, ok=status == 200)
            budget.wait(started)
    finally:
        client.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc (Linux only)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_clients(workers) -> float:
    """Run every worker in its own thread; returns the wall time."""
    threads = [threading.Thread(target=work, daemon=True) for work in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def medir(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "medir", *args],
        env=env,
        cwd=env["MEDIR_DATA_DIR"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout if capture else ""


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"medir serve stopped with code {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/report/")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"medir serve did not answer on port {port} in {seconds} s")


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for a base32 key
    (RFC 6238: HMAC-SHA1 over 30-second steps)."""
    secret = secret.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def log_in(port: int) -> dict[str, str]:
    """Log in as the demo security manager, who sets up two-factor
    authentication at the first log-in of a fresh demo."""
    client = Client(port)
    token = client.csrf_token("/login/")
    status, _headers, _text, _seconds = client.request(
        "POST",
        "/login/",
        [
            ("csrfmiddlewaretoken", token),
            ("username", MANAGER[0]),
            ("password", MANAGER[1]),
            ("next", "/incidents/"),
        ],
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise BenchError(f"logging in as the demo security manager gave {status}")

    status, _headers, text, _seconds = client.request("GET", ENROL_PATH)
    secret = TOTP_SECRET.search(text)
    token = CSRF_INPUT.search(text)
    if status != 200 or secret is None or token is None:
        raise BenchError(f"the two-factor set-up page gave {status}")
    status, _headers, text, _seconds = client.request(
        "POST",
        ENROL_PATH,
        [
            ("csrfmiddlewaretoken", token.group(1)),
            ("code", totp_code(secret.group(1))),
            ("next", "/incidents/"),
        ],
    )
    client.close()
    if status != 200 or "recovery-codes" not in text:
        raise BenchError(f"confirming the authenticator app gave {status}")
    return dict(client.cookies)


def incident_path(port: int, session: dict) -> str:
    client = Client(port)
    client.cookies.update(session)
    status, _headers, text, _seconds = client.request("GET", "/incidents/")
    client.close()
    match = INCIDENT_LINK.search(text)
    if status != 200 or match is None:
        raise BenchError("the dashboard lists no incident to read")
    return f"/incidents/{match.group(1)}/"


COUNT_REPORTS = """
import json
from medir.incidents.models import Report
ids = json.load(open({path!r}))
print(json.dumps({{
    "total": Report.objects.filter(incident__is_replay=False).count(),
    "found": Report.objects.filter(pk__in=ids).count(),
}}))
"""


def stored_reports(env: dict, ids: list[int]) -> dict[str, int]:
    ids_file = Path(env["MEDIR_DATA_DIR"]) / "acknowledged.json"
    ids_file.write_text(json.dumps(ids))
    code = COUNT_REPORTS.format(path=str(ids_file))
    output = medir(env, "manage", "shell", "-c", code, capture=True)
    return json.loads(output.strip().splitlines()[-1])


def _admin_connection(url: str):
    import psycopg

    connection = psycopg.connect(url.replace("postgres://", "postgresql://", 1))
    connection.autocommit = True
    return connection


def fresh_postgres(url: str) -> tuple[str, str]:
    """Create an empty database on the server of ``url`` for this run;
    returns its URL and name. The benchmark's demo needs an empty one."""
    from urllib.parse import urlsplit, urlunsplit

    name = f"medir_bench_{os.getpid()}"
    with _admin_connection(url) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def drop_postgres(url: str, name: str) -> None:
    with _admin_connection(url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "django": version("django"),
        "waitress": version("waitress"),
    }


def table(phases: list[Phase]) -> str:
    lines = [
        "| phase | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms "
        "| server CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase in phases:
        values = phase.latencies
        rate = len(values) / phase.wall if phase.wall else 0.0
        cells = [percentile(values, s) * 1000 for s in (0.50, 0.95, 0.99, 1.0)]
        cpu = phase.server_cpu / len(values) * 1000 if values else float("nan")
        lines.append(
            f"| {phase.name} | {len(values)} | {phase.errors} | {rate:.1f} | "
            + " | ".join(f"{cell:.0f}" for cell in cells)
            + (f" | {cpu:.1f} |" if cpu == cpu else " | |")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="seconds between one client's requests (0: send again at once)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary data folder"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="a postgres:// URL (default: $DATABASE_URL; unset: SQLite). A "
        "fresh database is created beside it for the run and dropped after.",
    )
    options = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="medir-bench-"))
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "MEDIR_DEBUG", "MEDIR_TRUSTED_PROXY"}
    }
    bench_database = ""
    if options.database_url:
        env["DATABASE_URL"], bench_database = fresh_postgres(options.database_url)
    env.update(
        MEDIR_DATA_DIR=str(data_dir),
        MEDIR_LISTEN=f"{HOST}:{port}",
        MEDIR_PUBLIC_URL=f"http://{HOST}:{port}",
        # The benchmark's clients all come from one address; the real limit
        # would turn them away after 60 reports.
        MEDIR_REPORT_RATE="1000000/m,1000000/h",
    )
    server = None
    try:
        print(f"Preparing the demo hospital in {data_dir} …", file=sys.stderr)
        medir(env, "demo")
        medir(env, "replay", "osaka-2022")
        server_log = (data_dir / "server.log").open("w")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "medir",
                "serve",
                "--threads",
                str(options.server_threads),
            ],
            env=env,
            cwd=data_dir,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        wait_until_up(port, server)
        session = log_in(port)
        path = incident_path(port, session)
        before = stored_reports(env, [])["total"]

        numbers = itertools.count(1)
        clients = options.clients
        print(
            f"Driving {clients} clients against http://{HOST}:{port}/ "
            f"({options.server_threads} server threads) …",
            file=sys.stderr,
        )

        def reporters(phase: Phase, budget: Budget, count: int):
            return [lambda: reporter(port, phase, budget, numbers)] * count

        def readers(phase: Phase, budget: Budget, count: int):
            return [lambda: reader(port, phase, budget, session, path)] * count

        def budget() -> Budget:
            return Budget(options.requests, options.seconds, options.pace)

        def measure(phase: Phase, workers) -> None:
            cpu = cpu_seconds(server.pid)
            phase.wall = run_clients(workers)
            phase.server_cpu = cpu_seconds(server.pid) - cpu

        reports, reads = Phase("POST /report/"), Phase(f"GET {path}")
        measure(reports, reporters(reports, budget(), clients))
        measure(reads, readers(reads, budget(), clients))

        # Both at once, sharing one budget: reads while the writer lock is
        # busy with reports.
        mixed_reports, mixed_reads = Phase("mixed: POST"), Phase("mixed: GET")
        mixed = Phase("mixed: both")
        shared, half = budget(), clients // 2
        measure(
            mixed,
            reporters(mixed_reports, shared, half)
            + readers(mixed_reads, shared, clients - half),
        )
        mixed_reports.wall = mixed_reads.wall = mixed.wall
        mixed.latencies = mixed_reports.latencies + mixed_reads.latencies
        mixed.errors = mixed_reports.errors + mixed_reads.errors
        phases = [reports, reads, mixed_reports, mixed_reads, mixed]

        acknowledged = reports.acknowledged + mixed_reports.acknowledged
        stored = stored_reports(env, acknowledged)
    except (BenchError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or ""
        print(f"bench: {error}\n{detail}", file=sys.stderr)
        return 1
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if bench_database:
                drop_postgres(options.database_url, bench_database)

    new_reports = stored["total"] - before
    lost = len(acknowledged) - stored["found"]
    facts = machine()
    summary = "\n".join(
        [
            f"### {facts['date']}: {clients} clients, "
            f"{options.server_threads} waitress threads, "
            + (
                f"one request per client every {options.pace:g} s"
                if options.pace
                else "closed loop (no pause between requests)"
            ),
            "",
            f"{facts['cpus']} CPUs ({facts['cpu']}), {facts['memory']} RAM; "
            f"Python {facts['python']}, Django {facts['django']}, "
            f"waitress {facts['waitress']}, "
            + ("PostgreSQL." if bench_database else "SQLite (WAL)."),
            f"Each phase stops after {options.requests} requests or "
            f"{options.seconds:g} s.",
            "",
            table(phases),
            "",
            f"Acknowledged reports: {len(acknowledged)}; new reports stored: "
            f"{new_reports}; acknowledged but missing: {lost}.",
            "",
        ]
    )
    print(summary)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(summary + "\n")
    print(f"(appended to {RESULTS.relative_to(ROOT)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
