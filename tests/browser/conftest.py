"""Browser journeys in Debian's Chromium, driven by Playwright.

Playwright never downloads a browser here: it drives the system Chromium
through ``executable_path``. Without it the journeys fail rather than skip,
so that a machine missing Chromium cannot pass the suite quietly.
"""

import base64
import os
import shutil
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from tests.conftest import totp_code

# Playwright's sync API runs an event loop; the ORM calls in these tests
# happen beside it, never inside a coroutine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MEDIR_CHROMIUM") or shutil.which("chromium") or ""
SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.fail(
            "Debian's chromium is needed for browser tests: apt-get install chromium"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="ja-JP", viewport={"width": 1400, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the form, and through the second factor for those
    who need it: setting up the authenticator app at the first log-in
    (the code computed from the key the page shows, as a phone would), or
    entering its code later."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click(".login button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/two-factor/" not in page.url:
        return

    enrolling = "/enrol/" in page.url
    device = (
        TOTPDevice.objects.filter(user__username=username)
        .order_by("-confirmed", "-id")
        .first()
    )
    if enrolling:
        shown = page.inner_text("#totp-secret").replace(" ", "")
        assert base64.b32encode(device.bin_key).decode().rstrip("=") == shown
    page.fill("#id_code", totp_code(device))
    page.click("form:has(#id_code) button[type=submit]")
    if enrolling:
        assert page.locator(".recovery-codes li").count() == 10
        page.click("#continue")
