"""Each change to the network is a new version, audited; none is deleted."""

import datetime

import pytest
from django.utils import timezone

from medir.audit.models import AuditRecord
from medir.audit.services import verify_audit_chain
from medir.network import services
from medir.network.models import (
    AssetKind,
    AssetVersion,
    ExternalKind,
    SegmentPurpose,
    SegmentVersion,
)
from medir.network.selectors import get_history, network_as_of


def test_a_change_ends_the_old_version_and_starts_a_new_one(small_network, manager):
    server = small_network["server"]

    services.change_asset(server, actor=manager, name="電子カルテDBサーバ")

    versions = list(AssetVersion.objects.filter(asset=server).order_by("valid_from"))
    assert [v.name for v in versions] == ["電子カルテサーバ", "電子カルテDBサーバ"]
    assert versions[0].valid_to == versions[1].valid_from
    assert versions[0].ended_by == manager
    assert versions[1].valid_to is None
    assert versions[1].recorded_by == manager


def test_an_unchanged_save_writes_no_version_and_no_audit(small_network, manager):
    before = AuditRecord.objects.count()

    services.change_asset(
        small_network["server"], actor=manager, name="電子カルテサーバ"
    )

    assert AssetVersion.objects.filter(asset=small_network["server"]).count() == 1
    assert AuditRecord.objects.count() == before


def test_the_network_as_of_an_earlier_time_is_reconstructed(small_network, manager):
    switch, nas = small_network["switch"], small_network["nas"]
    before_changes = timezone.now()
    vpn = services.add_asset(
        actor=manager, kind=AssetKind.REMOTE_ACCESS, name="VPN装置", segment=None
    )
    services.add_external_connection(
        actor=manager,
        asset=vpn,
        kind=ExternalKind.VENDOR_REMOTE,
        party="ベンダ保守",
        is_remote_maintenance=True,
    )
    services.change_segment(small_network["ehr"], actor=manager, name="基幹系")
    services.remove_connection(network_as_of().connections[1].connection, actor=manager)

    then = network_as_of(before_changes)
    now = network_as_of()

    assert [s.name for s in then.segments] == ["電子カルテ系", "バックアップ系"]
    assert [s.name for s in now.segments] == ["基幹系", "バックアップ系"]
    assert "VPN装置" not in [a.name for a in then.assets]
    assert "VPN装置" in [a.name for a in now.assets]
    assert [e.party for e in then.externals] == ["インターネット"]
    assert sorted(e.party for e in now.externals) == ["インターネット", "ベンダ保守"]
    assert len(then.connections) == 2
    assert len(now.connections) == 1
    assert {switch.pk, nas.pk} <= {c.target_id for c in then.connections} | {
        c.source_id for c in then.connections
    }


def test_before_anything_was_built_the_network_is_empty(small_network, long_ago):
    assert network_as_of(long_ago - datetime.timedelta(seconds=1)).is_empty


def test_removing_keeps_every_row_and_ends_the_version(small_network, manager):
    internet = small_network["internet"]

    services.remove_external_connection(internet, actor=manager)

    version = internet.versions.get()
    assert version.removed
    assert version.valid_to is not None
    assert version.ended_by == manager
    assert network_as_of().externals == []


def test_a_removed_thing_cannot_be_changed(small_network, manager):
    services.remove_external_connection(small_network["internet"], actor=manager)

    with pytest.raises(services.NetworkError, match="removed already"):
        services.change_external_connection(
            small_network["internet"], actor=manager, party="別回線"
        )


def test_a_segment_with_assets_cannot_be_removed(small_network, manager):
    with pytest.raises(services.NetworkError, match="Assets are still in"):
        services.remove_segment(small_network["ehr"], actor=manager)

    assert SegmentVersion.objects.current().count() == 2


def test_an_asset_with_connections_cannot_be_removed(small_network, manager):
    with pytest.raises(services.NetworkError, match="still has connections"):
        services.remove_asset(small_network["switch"], actor=manager)


def test_names_of_current_segments_are_unique(small_network, manager):
    with pytest.raises(services.NetworkError, match="taken") as error:
        services.add_segment(
            actor=manager, name="電子カルテ系", purpose=SegmentPurpose.OTHER
        )
    assert error.value.field == "name"


def test_two_assets_are_connected_only_once(small_network, manager):
    with pytest.raises(services.NetworkError, match="connected already"):
        services.add_connection(
            actor=manager,
            source=small_network["server"],
            target=small_network["switch"],
        )


def test_an_asset_cannot_connect_to_itself(small_network, manager):
    with pytest.raises(services.NetworkError, match="itself"):
        services.add_connection(
            actor=manager,
            source=small_network["server"],
            target=small_network["server"],
        )


def test_an_unknown_kind_is_refused(db, manager):
    with pytest.raises(services.NetworkError, match="is not one of"):
        services.add_asset(actor=manager, kind="toaster", name="X")


def test_a_change_cannot_be_dated_before_the_version_it_replaces(
    small_network, manager, long_ago
):
    with pytest.raises(services.NetworkError, match="before the last one"):
        services.change_asset(
            small_network["server"],
            actor=manager,
            name="古い名前",
            at=long_ago - datetime.timedelta(days=1),
        )


def test_every_change_is_audited_in_the_chain(small_network, manager):
    server = small_network["server"]

    services.change_asset(server, actor=manager, notes="増設")
    services.remove_connection(network_as_of().connections[0].connection, actor=manager)

    changed = AuditRecord.objects.get(action="network.asset.changed")
    assert changed.actor == manager
    assert changed.object_id == str(server.pk)
    assert changed.before["notes"] == ""
    assert changed.after["notes"] == "増設"
    assert AuditRecord.objects.filter(action="network.connection.removed").exists()
    assert AuditRecord.objects.filter(action="network.segment.added").count() == 2
    assert verify_audit_chain().ok


def test_the_history_says_who_changed_what_from_what(small_network, manager):
    services.change_asset(small_network["server"], actor=manager, name="DBサーバ")
    services.remove_external_connection(small_network["internet"], actor=manager)

    history = get_history()

    removed, changed = history[0], history[1]
    assert (removed.action, removed.kind, removed.actor) == (
        "removed",
        "external_connection",
        "manager",
    )
    assert removed.subject == "コアスイッチ → インターネット"
    assert (changed.action, changed.actor, changed.subject) == (
        "changed",
        "manager",
        "DBサーバ",
    )
    assert [(c.field, c.before, c.after) for c in changed.changes] == [
        ("name", "電子カルテサーバ", "DBサーバ")
    ]
    assert sum(1 for change in history if change.action == "added") == 8
