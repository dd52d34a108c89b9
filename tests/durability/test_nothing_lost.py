"""Nothing acknowledged is lost: several processes writing at once to the
embedded SQLite database, and a server killed in the middle of writes.

Every writer prints what it was told was stored; afterwards each of those
rows must be there and the audit chain must verify. The processes run the
same service functions and the same server a hospital runs.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

from bench.load import (
    Client,
    free_port,
    report_form,
    report_id_from,
    wait_until_up,
)

from tests.processes import run_medir, shell_json

OPEN_INCIDENT = """
import json
from django.contrib.auth import get_user_model
from medir.incidents.services import confirm_incident, file_report
manager = get_user_model().objects.get(username="manager")
report = file_report(actor=None, reporter_name="first", signs=["ransom_note"])
incident = confirm_incident(report.incident, actor=manager, reason="test")
print(json.dumps(incident.number))
"""

# One writer process: reports, notes on the open incident and its own share
# of steps, printing each write only after the service returned.
WRITER = """
from django.contrib.auth import get_user_model
from medir.incidents.models import Incident
from medir.incidents.services import add_note, complete_step, file_report
manager = get_user_model().objects.get(username="manager")
incident = Incident.objects.get(number={number!r})
for i in range({rounds}):
    report = file_report(
        actor=None, reporter_name="writer {writer}", signs=["slow_or_stopped"]
    )
    print("report", report.pk, flush=True)
    event = add_note(incident, actor=manager, text=f"writer {writer} note {{i}}")
    print("note", event.pk, flush=True)
for step_id in {steps!r}:
    complete_step(incident, step_id=step_id, actor=manager, reason="test")
    print("step", step_id, flush=True)
"""

STORED = """
import json
from medir.audit.services import verify_audit_chain
from medir.incidents.models import IncidentStep, Report, TimelineEvent
acks = json.load(open({path!r}))
print(json.dumps({{
    "reports": Report.objects.filter(pk__in=acks["report"]).count(),
    "notes": TimelineEvent.objects.filter(pk__in=acks["note"]).count(),
    "steps": sorted(
        IncidentStep.objects.filter(
            incident__number={number!r}, state="done", step_id__in=acks["step"]
        ).values_list("step_id", flat=True)
    ),
    "chain_ok": verify_audit_chain().ok,
}}))
"""

STEP_STATES = (
    "import json; from medir.incidents.models import IncidentStep; "
    "print(json.dumps(list(IncidentStep.objects.filter("
    "incident__number={number!r}, state='done').values_list('step_id', flat=True))))"
)

STEPS = ["2-2", "2-3", "2-4", "2-5", "2-6", "2-7", "3-2", "3-3"]


def child_env(data_dir, **extra):
    env = {**os.environ, "MEDIR_DATA_DIR": str(data_dir), **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return env


def start_writer(data_dir, *, writer, number, rounds, steps):
    code = WRITER.format(writer=writer, number=number, rounds=rounds, steps=steps)
    return subprocess.Popen(
        [sys.executable, "-m", "medir", "manage", "shell", "-c", code],
        env=child_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored(data_dir, acks, number):
    path = data_dir / "acknowledged.json"
    path.write_text(json.dumps(acks))
    return shell_json(data_dir, STORED.format(path=str(path), number=number))


def test_four_processes_writing_at_once_lose_no_acknowledged_write(demo_dir):
    number = shell_json(demo_dir, OPEN_INCIDENT)
    writers = [
        start_writer(demo_dir, writer=n, number=number, rounds=15, steps=STEPS[n::4])
        for n in range(4)
    ]

    acks = {"report": [], "note": [], "step": []}
    for process in writers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        for line in out.splitlines():
            kind, _, value = line.partition(" ")
            if kind in acks:
                acks[kind].append(value if kind == "step" else int(value))

    assert len(acks["report"]) == len(acks["note"]) == 4 * 15
    assert sorted(acks["step"]) == sorted(STEPS)
    assert stored(demo_dir, acks, number) == {
        "reports": 60,
        "notes": 60,
        "steps": sorted(STEPS),
        "chain_ok": True,
    }
    assert run_medir(demo_dir, "audit", "verify").returncode == 0


def start_server(data_dir, port):
    return subprocess.Popen(
        [sys.executable, "-m", "medir", "serve"],
        env=child_env(
            data_dir,
            MEDIR_LISTEN=f"127.0.0.1:{port}",
            # The limit protects the real page; here one address is everyone.
            MEDIR_REPORT_RATE="100000/m,1000000/h",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own process group, so the kill reaches every thread and child.
        start_new_session=True,
    )


def report_until_refused(port, number, acknowledged, lock):
    """File reports until the server stops answering; keep each one whose
    thank-you redirect arrived."""
    client = Client(port)
    try:
        token = client.csrf_token("/report/")
        for i in range(10_000):
            try:
                status, headers, _text, _seconds = client.request(
                    "POST", "/report/", report_form(token, number * 10_000 + i)
                )
            except OSError:
                return
            report_id = report_id_from(headers.get("Location", ""))
            if status == 302 and report_id is not None:
                with lock:
                    acknowledged.append(report_id)
    finally:
        client.close()


def test_a_server_killed_mid_write_keeps_every_acknowledged_report(demo_dir):
    port = free_port()
    server = start_server(demo_dir, port)
    acknowledged: list[int] = []
    lock = threading.Lock()
    try:
        wait_until_up(port, server)
        clients = [
            threading.Thread(
                target=report_until_refused, args=(port, n, acknowledged, lock)
            )
            for n in range(4)
        ]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)

        # No shutdown, no flush: the way a power cut or the OOM killer ends it.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        for client in clients:
            client.join(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)

    assert len(acknowledged) >= 40

    # The restarted server answers, and holds every acknowledged report.
    port = free_port()
    server = start_server(demo_dir, port)
    try:
        wait_until_up(port, server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    found = stored(demo_dir, {"report": acknowledged, "note": [], "step": []}, "")
    assert found["reports"] == len(acknowledged)
    assert found["chain_ok"]
    assert run_medir(demo_dir, "audit", "verify").returncode == 0


ALL_STEPS = (
    "import json; from medir.playbook.schema import get_playbook; "
    "print(json.dumps([s.id for s in get_playbook().steps_in_order()]))"
)


def complete_steps_until_refused(port, token, number, steps, acknowledged, lock):
    """Complete steps through the API until the server stops answering;
    keep each step whose 200 arrived."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    body = json.dumps({"reason": "crash test", "note": "kill -9 mid-write"})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for step_id in steps:
            try:
                connection.request(
                    "POST",
                    f"/api/incidents/{number}/steps/{step_id}/complete",
                    body=body,
                    headers=headers,
                )
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                return
            if response.status == 200:
                with lock:
                    acknowledged.append(step_id)
    finally:
        connection.close()


def test_a_server_killed_mid_write_keeps_every_acknowledged_step_completion(
    demo_dir,
):
    number = shell_json(demo_dir, OPEN_INCIDENT)
    issued = run_medir(
        demo_dir, "manage", "issue_api_token", "manager", "--label", "crash"
    )
    token = re.search(r"medir_\S+", issued.stdout)[0]
    done = set(shell_json(demo_dir, f"{STEP_STATES.format(number=number)}"))
    steps = [s for s in shell_json(demo_dir, ALL_STEPS) if s not in done]
    port = free_port()
    server = start_server(demo_dir, port)
    reports: list[int] = []
    completed: list[str] = []
    lock = threading.Lock()
    try:
        wait_until_up(port, server)
        writers = [
            threading.Thread(
                target=complete_steps_until_refused,
                args=(port, token, number, steps, completed, lock),
            )
        ] + [
            threading.Thread(target=report_until_refused, args=(port, n, reports, lock))
            for n in range(3)
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 120
        while (len(reports) < 30 or len(completed) < 8) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)

        # Steps and reports are both in flight at this moment.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        for writer in writers:
            writer.join(timeout=60)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)

    assert len(completed) >= 8
    assert len(completed) < len(steps), "every step finished before the kill"

    port = free_port()
    server = start_server(demo_dir, port)
    try:
        wait_until_up(port, server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    found = stored(demo_dir, {"report": reports, "note": [], "step": completed}, number)
    assert found["steps"] == sorted(completed)
    assert found["reports"] == len(reports)
    assert found["chain_ok"]
    assert run_medir(demo_dir, "audit", "verify").returncode == 0
