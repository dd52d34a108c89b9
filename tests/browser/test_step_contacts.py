"""At step 2-2 the security manager sees yesterday's vendor work with the
vendor's number, and records the call made to the vendor."""

import datetime as dt

import pytest

from medir.organisation.models import ContactChannel, System
from medir.organisation.services import append_maintenance_log_entry
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.incidents.factories import confirmed_attack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_sees_yesterdays_vendor_work_and_records_the_call(
    live_server, page, screenshot, nurse, manager, ehr_vendor
):
    ehr = System.objects.create(
        name="電子カルテシステム", kind="ehr", vendor=ehr_vendor
    )
    ContactChannel.objects.create(
        organisation=ehr_vendor,
        kind="phone",
        value="0120-000-202",
        label="24時間障害受付",
        out_of_hours=True,
    )
    incident = confirmed_attack(nurse, manager)
    incident.affected_systems.add(ehr)
    append_maintenance_log_entry(
        ehr,
        actor=None,
        performed_at=incident.reported_at - dt.timedelta(days=1),
        performed_by_organisation=ehr_vendor,
        summary="リモート保守でデータベースサーバに月例パッチを適用",
    )

    log_in(page, live_server, "manager", PASSWORD)
    page.goto(f"{live_server.url}/incidents/{incident.number}/steps/2-2/")

    work = page.locator("#maintenance-before")
    assert "データベースサーバに月例パッチを適用" in work.inner_text()
    assert "0120-000-202" in work.inner_text()
    vendor = page.locator(
        f'#step-contacts [data-callee="organisation:{ehr_vendor.pk}"]'
    )
    assert "0120-000-202" in vendor.inner_text()
    screenshot("step-2-2-vendor-work-and-contacts")

    vendor.locator("select[name=outcome]").select_option("reached")
    vendor.locator("input[name=note]").fill("作業との関連を調査中と回答")
    vendor.locator("button[type=submit]").click()

    page.wait_for_url("**/steps/2-2/#step-contacts")
    call = page.locator('#timeline tr[data-kind="call_made"]')
    assert call.count() == 1
    assert "架空電子カルテ株式会社" in call.inner_text()
    assert "作業との関連を調査中と回答" in call.inner_text()
    screenshot("step-2-2-call-recorded")
