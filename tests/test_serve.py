"""`medir serve` starts the production server with its static files."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.processes import child_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "medir", "serve", "--threads", "2"],
        env=child_env(tmp_path, MEDIR_LISTEN=f"127.0.0.1:{port}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=2)
            break
        except urllib.error.HTTPError:
            # Answering at all means it is up; the tests check the answer.
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"medir serve exited: {process.stdout.read()}")
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=20)


def test_serve_answers_with_the_japanese_log_in_page_and_its_stylesheet(server):
    page = urllib.request.urlopen(f"{server}/login/").read().decode()
    assert '<html lang="ja">' in page

    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    response = urllib.request.urlopen(f"{server}{stylesheet}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "MedIR" in response.headers.get("Server", "MedIR")


def test_serve_answers_unknown_hosts_with_bad_request(server):
    request = urllib.request.Request(f"{server}/login/", headers={"Host": "evil.test"})

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request)
    assert caught.value.code == 400


def test_serve_on_a_busy_port_says_so_and_fails(server, tmp_path):
    port = server.rsplit(":", 1)[1]

    result = subprocess.run(
        [sys.executable, "-m", "medir", "serve"],
        env=child_env(tmp_path / "second", MEDIR_LISTEN=f"127.0.0.1:{port}"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
