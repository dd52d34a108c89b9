"""What steps 2-3 and 2-6 show of the network, and the police memo."""

import pytest

from medir.authority.reports.prefill import prefill
from medir.network import services
from medir.network.models import SegmentVersion
from medir.network.selectors import summarise_network_ja
from medir.organisation.models import System, SystemKind
from tests.incidents.factories import confirmed_attack


@pytest.fixture
def incident(small_network, nurse, manager, ehr_vendor):
    ehr = System.objects.create(
        name="電子カルテシステム", kind=SystemKind.EHR, vendor=ehr_vendor
    )
    services.change_asset(small_network["server"], actor=None, system=ehr)
    incident = confirmed_attack(nurse, manager)
    incident.affected_systems.add(ehr)
    return incident


def test_at_step_2_3_the_manager_sees_the_affected_systems_segment_and_links(
    client_for, incident, manager
):
    text = client_for(manager).get(f"/incidents/{incident.number}/steps/2-3/")

    text = text.content.decode()
    assert 'id="affected-reach"' in text
    table = text[text.index('id="affected-reach"') :]
    assert "電子カルテサーバ" in table
    assert "電子カルテ系" in table
    assert "コアスイッチ" in table


def test_at_step_2_3_without_affected_systems_it_says_so(
    client_for, small_network, nurse, manager
):
    incident = confirmed_attack(nurse, manager)

    text = client_for(manager).get(f"/incidents/{incident.number}/steps/2-3/")

    assert 'id="no-affected"' in text.content.decode()


def test_at_step_2_6_the_backups_path_comes_before_the_external_lines(
    client_for, small_network, incident, manager
):
    services.add_external_connection(
        actor=None,
        asset=small_network["server"],
        kind="vendor_remote",
        party="ベンダ保守VPN",
        is_remote_maintenance=True,
    )

    text = client_for(manager).get(f"/incidents/{incident.number}/steps/2-6/")

    text = text.content.decode()
    backup = text.index('id="backup-path"')
    outside = text.index('id="externals-to-cut"')
    assert backup < outside
    assert "バックアップNAS" in text[backup:outside]
    assert "コアスイッチ" in text[backup:outside]
    # Remote maintenance first, then the internet.
    assert text.index("ベンダ保守VPN", outside) < text.index("インターネット", outside)


def test_other_steps_do_not_show_the_network(client_for, incident, manager):
    text = client_for(manager).get(f"/incidents/{incident.number}/steps/2-4/")

    assert 'id="network-at-step"' not in text.content.decode()


def test_the_police_memo_summarises_the_network(incident):
    fields = prefill("police", incident)

    assert "電子カルテ系" in fields["network_diagram"]
    assert "インターネット" in fields["network_diagram"]


def test_without_network_data_the_police_memo_keeps_its_default(db):
    assert summarise_network_ja() == ""


def test_in_english_the_segments_at_step_2_3_carry_their_english_names(
    client_for, incident, manager
):
    segment = SegmentVersion.objects.current().get(name="電子カルテ系").segment
    services.change_segment(segment, actor=None, name_en="EHR network")
    client = client_for(manager)
    client.cookies["django_language"] = "en"

    text = client.get(f"/incidents/{incident.number}/steps/2-3/").content.decode()

    table = text[text.index('id="affected-reach"') :]
    assert "EHR network" in table
    assert "電子カルテ系" not in table
