import pytest
from django.core.cache import cache

from medir.incidents.models import Report
from medir.organisation.models import ChannelKind, ContactChannel
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    """A phone-sized page, as when the poster's QR code is scanned."""
    context = browser.new_context(
        locale="ja-JP",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def manager_on_call(manager):
    cache.clear()
    ContactChannel.objects.create(
        person=manager.person,
        kind=ChannelKind.MOBILE,
        value="090-0000-1003",
        label="携帯",
        out_of_hours=True,
    )
    return manager


def test_a_nurse_reports_a_ransom_note_on_her_phone_without_logging_in(
    live_server, phone, manager_on_call, ward
):
    phone.goto(f"{live_server.url}/report/")

    phone.get_by_label("脅迫文が印刷・表示された").check()
    phone.get_by_label("氏名").fill("東 さくら")
    phone.get_by_label("病棟・部署").fill("東4病棟")
    phone.get_by_label("折り返しの電話番号").fill("内線4123")
    phone.get_by_role("button", name="報告を送信する").click()

    phone.wait_for_url("**/report/sent/**")
    disconnect = phone.locator("#disconnect")
    assert "ケーブルを抜いてください" in disconnect.inner_text()
    assert "電源は切らないでください" in disconnect.inner_text()
    call = phone.locator('#contacts a[href="tel:090-0000-1003"]')
    assert call.is_visible()
    assert call.bounding_box()["height"] >= 44
    # Nothing scrolls sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Report.objects.get().signs == ["ransom_note"]
    phone.screenshot(path=str(SCREENSHOTS / "report-sent-phone.png"), full_page=True)


def test_the_report_form_fits_a_phone_screen(live_server, phone, manager_on_call):
    phone.goto(f"{live_server.url}/report/")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    first_choice = phone.locator("label.choice").first.bounding_box()
    assert first_choice["height"] >= 44
    phone.screenshot(path=str(SCREENSHOTS / "report-form-phone.png"), full_page=True)
