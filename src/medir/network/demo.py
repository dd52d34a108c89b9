"""The demo hospital's network: small, fictional, and wired like the real
cases in docs/incidents.md (a caterer's closed VPN into the EHR network,
vendors' remote-maintenance VPN appliances).

Its history is dated relative to the day the demo is loaded: the network
as built three months ago, the EHR vendor's VPN appliance added last month
and the old PACS maintenance router retired ten days ago, so that "as of"
shows a difference.
"""

import datetime as dt

from django.utils import timezone

from medir.network.models import AssetKind, ExternalKind, SegmentPurpose
from medir.network.services import (
    add_asset,
    add_connection,
    add_external_connection,
    add_segment,
    change_asset,
    remove_asset,
    remove_connection,
    remove_external_connection,
)
from medir.organisation.models import Organisation, RemoteAccessDevice, System

SEGMENTS = (
    ("dmz", "境界・DMZ", "Perimeter and DMZ", SegmentPurpose.DMZ),
    ("ehr", "電子カルテ系", "EHR network", SegmentPurpose.EHR),
    ("devices", "医療機器系", "Medical devices", SegmentPurpose.MEDICAL_DEVICES),
    ("office", "事務系", "Office network", SegmentPurpose.OFFICE),
    ("backup", "バックアップ系", "Backup network", SegmentPurpose.BACKUP),
)

# (key, segment, kind, name, system name or "")
ASSETS = (
    (
        "fw",
        "dmz",
        AssetKind.NETWORK_DEVICE,
        "ファイアウォール FW-01",
        "基幹ネットワーク・VPN",
    ),
    (
        "regional_gw",
        "dmz",
        AssetKind.SERVER,
        "地域連携ゲートウェイ",
        "電子カルテシステム",
    ),
    ("core", "ehr", AssetKind.NETWORK_DEVICE, "コアスイッチ", "基幹ネットワーク・VPN"),
    ("ehr_db", "ehr", AssetKind.SERVER, "電子カルテDBサーバ", "電子カルテシステム"),
    ("ehr_ap", "ehr", AssetKind.SERVER, "電子カルテAPサーバ", "電子カルテシステム"),
    ("ehr_pc", "ehr", AssetKind.CLIENT, "電子カルテ端末", "電子カルテシステム"),
    ("lab", "ehr", AssetKind.SERVER, "臨床検査サーバ", "臨床検査システム"),
    ("billing", "ehr", AssetKind.SERVER, "医事会計サーバ", "医事会計システム"),
    ("pacs", "devices", AssetKind.SERVER, "PACSサーバ", "PACS（画像保存通信システム）"),
    ("ct", "devices", AssetKind.MEDICAL_DEVICE, "CT装置", ""),
    ("xray", "devices", AssetKind.MEDICAL_DEVICE, "一般撮影装置", ""),
    (
        "office_sw",
        "office",
        AssetKind.NETWORK_DEVICE,
        "事務系スイッチ",
        "基幹ネットワーク・VPN",
    ),
    ("office_pc", "office", AssetKind.CLIENT, "事務PC", ""),
    (
        "groupware",
        "office",
        AssetKind.SERVER,
        "グループウェアサーバ",
        "院内グループウェア",
    ),
    ("nutrition", "office", AssetKind.SERVER, "栄養管理サーバ", "栄養管理システム"),
    (
        "catering_vpn",
        "office",
        AssetKind.REMOTE_ACCESS,
        "給食委託VPN装置",
        "栄養管理システム",
    ),
    ("backup_srv", "backup", AssetKind.SERVER, "バックアップサーバ", ""),
    ("backup_nas", "backup", AssetKind.BACKUP_STORAGE, "バックアップNAS", ""),
)

CONNECTIONS = (
    ("fw", "core", ""),
    ("fw", "office_sw", ""),
    ("regional_gw", "ehr_ap", "紹介状・検査結果の連携"),
    ("core", "ehr_db", ""),
    ("core", "ehr_ap", ""),
    ("core", "ehr_pc", ""),
    ("core", "lab", ""),
    ("core", "billing", ""),
    ("core", "pacs", ""),
    ("pacs", "ct", "DICOM"),
    ("pacs", "xray", "DICOM"),
    ("office_sw", "office_pc", ""),
    ("office_sw", "groupware", ""),
    ("office_sw", "nutrition", ""),
    # As in Osaka: the catering server also talks to the EHR network.
    ("nutrition", "core", "給食オーダ連携"),
    ("catering_vpn", "nutrition", ""),
    ("core", "backup_srv", "夜間バックアップ"),
    ("backup_srv", "backup_nas", ""),
)


def _system(name: str) -> System | None:
    return System.objects.filter(name=name).first() if name else None


def _organisation(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).first()


def _device(system_name: str, model: str) -> RemoteAccessDevice | None:
    return RemoteAccessDevice.objects.filter(
        system__name=system_name, model=model
    ).first()


def load_demo_network(*, actor=None) -> None:
    """Add the demo network and its history; expects the demo hospital's
    systems, vendors and remote-access devices to exist already."""
    now = timezone.now()
    built = now - dt.timedelta(days=90)

    segments = {
        key: add_segment(actor=actor, name=name, name_en=name_en, purpose=p, at=built)
        for key, name, name_en, p in SEGMENTS
    }
    assets = {}
    for key, segment, kind, name, system in ASSETS:
        device = (
            _device("栄養管理システム", "KVPN-100") if key == "catering_vpn" else None
        )
        assets[key] = add_asset(
            actor=actor,
            kind=kind,
            name=name,
            segment=segments[segment],
            system=_system(system),
            remote_access_device=device,
            at=built,
        )
    for source, target, label in CONNECTIONS:
        add_connection(
            actor=actor,
            source=assets[source],
            target=assets[target],
            label=label,
            at=built,
        )

    add_external_connection(
        actor=actor,
        asset=assets["fw"],
        kind=ExternalKind.INTERNET,
        party="インターネット（光回線）",
        notes="事務系のWeb・メール用。電子カルテ系からは通信不可の設定。",
        at=built,
    )
    add_external_connection(
        actor=actor,
        asset=assets["regional_gw"],
        kind=ExternalKind.REGIONAL,
        party="架空県地域医療連携ネットワーク",
        at=built,
    )
    add_external_connection(
        actor=actor,
        asset=assets["catering_vpn"],
        kind=ExternalKind.VENDOR_REMOTE,
        party="給食委託先データセンタ（閉域VPN）",
        organisation=_organisation("架空給食サービス株式会社"),
        is_remote_maintenance=True,
        at=built,
    )

    # The PACS vendor used to dial in through a router of its own.
    old_router = add_asset(
        actor=actor,
        kind=AssetKind.REMOTE_ACCESS,
        name="PACS保守用ルータ（旧）",
        segment=segments["devices"],
        system=_system("PACS（画像保存通信システム）"),
        at=built,
    )
    old_link = add_connection(
        actor=actor, source=old_router, target=assets["pacs"], at=built
    )
    old_line = add_external_connection(
        actor=actor,
        asset=old_router,
        kind=ExternalKind.VENDOR_REMOTE,
        party="架空イメージング 保守回線",
        organisation=_organisation("架空イメージング株式会社"),
        is_remote_maintenance=True,
        at=built,
    )

    # Last month: one VPN appliance for the vendors' remote maintenance.
    added = now - dt.timedelta(days=35)
    vpn = add_asset(
        actor=actor,
        kind=AssetKind.REMOTE_ACCESS,
        name="リモート保守VPN装置",
        segment=segments["dmz"],
        system=_system("基幹ネットワーク・VPN"),
        remote_access_device=_device("基幹ネットワーク・VPN", "KVPN-500"),
        notes="接続は事前申請の時間帯のみ許可。",
        at=added,
    )
    add_connection(actor=actor, source=vpn, target=assets["fw"], at=added)
    add_external_connection(
        actor=actor,
        asset=vpn,
        kind=ExternalKind.VENDOR_REMOTE,
        party="架空メディカルシステムズ リモート保守",
        organisation=_organisation("架空メディカルシステムズ株式会社"),
        is_remote_maintenance=True,
        at=added,
    )
    add_external_connection(
        actor=actor,
        asset=vpn,
        kind=ExternalKind.VENDOR_REMOTE,
        party="架空イメージング リモート保守",
        organisation=_organisation("架空イメージング株式会社"),
        is_remote_maintenance=True,
        at=added,
    )
    change_asset(
        assets["ehr_pc"],
        actor=actor,
        notes="病棟・外来の端末 約130台（増設後）",
        at=now - dt.timedelta(days=20),
    )

    # Ten days ago the old router was retired.
    retired = now - dt.timedelta(days=10)
    remove_external_connection(old_line, actor=actor, at=retired)
    remove_connection(old_link, actor=actor, at=retired)
    remove_asset(old_router, actor=actor, at=retired)
