"""The fictional demo hospital 「MedIR記念病院」, for trying MedIR out.

Everything here is made up: the hospital, its people, the vendors and the
prefecture are fictional, and every phone number is an obviously fake
0120-000-xxx or 090-0000-xxxx number. The authorities are real; their
contact details come from docs/regulatory.md with the source page, the date
it was checked, and 要確認 where no primary source confirmed them. Contacts
are data, not code, so a hospital can correct them without a release.

Every row goes through the audited organisation services, so loading the
demo leaves the same audit trail as entering the data by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from medir.contacts.demo import load_demo_contacts
from medir.network.demo import load_demo_network
from medir.organisation.models import (
    ChannelKind,
    ContactChannel,
    Department,
    DeviceKind,
    DeviceOwner,
    MaintenanceKind,
    OperatorType,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    System,
    SystemKind,
)
from medir.organisation.services import (
    add_remote_access_device,
    append_maintenance_log_entry,
    create_person,
    initialise_hospital,
    save_organisation_record,
)

HOSPITAL_NAME = "MedIR記念病院"
HOSPITAL_NAME_EN = "MedIR Memorial Hospital (demo)"

# One shared password, printed by `medir demo`: the demo is for trying
# MedIR out on a laptop, never for real data.
DEMO_PASSWORD = "medir-demo-2026"

# The day the authorities' details below were checked against their sources.
VERIFIED_ON = dt.date(2026, 11, 30)

# Sources named in docs/regulatory.md.
MHLW_GUIDELINE_URL = "https://www.mhlw.go.jp/stf/shingi/0000516275_00006.html"
MHLW_SUPPORT_URL = "https://mhlw-training.saj.or.jp/"
PPC_LEAK_URL = "https://www.ppc.go.jp/personalinfo/legal/leakAction/"
NPA_CYBER_URL = "https://www.npa.go.jp/bureau/cyber/soudan.html"
IPA_SUPPORT_URL = "https://www.ipa.go.jp/security/support/soudan.html"
JPCERT_REPORT_URL = "https://www.jpcert.or.jp/form/"
JPCERT_CONSULT_URL = "https://www.jpcert.or.jp/ir/consult.html"
# example.jp is reserved for examples, so the fictional prefecture's page
# can never point at a real site.
PREFECTURE_URL = "https://www.pref.example.jp/iryo/"


@dataclass(frozen=True)
class Channel:
    kind: str
    value: str
    label: str = ""
    out_of_hours: bool = False
    source_url: str = ""
    verified_on: dt.date | None = None
    needs_verification: bool = False


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    name_en: str
    kind: str
    notes: str = ""
    source_url: str = ""
    verified_on: dt.date | None = None
    needs_verification: bool = False
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True)
class PersonSpec:
    username: str
    display_name: str
    job_title: str
    roles: tuple[str, ...]
    description: str
    department: str = ""
    organisation: str = ""
    deputy_for: str = ""
    channels: tuple[Channel, ...] = field(default_factory=tuple)


DEPARTMENTS = (
    ("東4病棟", "East 4 ward"),
    ("西5病棟", "West 5 ward"),
    ("外来", "Outpatients"),
    ("放射線科", "Radiology"),
    ("薬剤部", "Pharmacy"),
    ("医事課", "Medical affairs (billing)"),
    ("栄養科", "Nutrition"),
    ("情報システム室", "Information systems office"),
)

VENDORS = (
    OrganisationSpec(
        key="ehr",
        name="架空メディカルシステムズ株式会社",
        name_en="Kaku Medical Systems Co., Ltd. (fictional)",
        kind=OrganisationKind.VENDOR,
        notes="電子カルテ・部門システムの保守ベンダ（架空）。",
        channels=(
            Channel(ChannelKind.PHONE, "0120-000-201", "保守窓口（平日 9-17時）"),
            Channel(
                ChannelKind.PHONE,
                "0120-000-202",
                "24時間障害受付",
                out_of_hours=True,
            ),
            Channel(ChannelKind.EMAIL, "support@kaku-medical.example.jp", "保守窓口"),
        ),
    ),
    OrganisationSpec(
        key="pacs",
        name="架空イメージング株式会社",
        name_en="Kaku Imaging Co., Ltd. (fictional)",
        kind=OrganisationKind.VENDOR,
        notes="PACS（画像保存通信システム）の保守ベンダ（架空）。",
        channels=(
            Channel(ChannelKind.PHONE, "0120-000-211", "保守窓口（平日 9-18時）"),
            Channel(
                ChannelKind.MOBILE,
                "090-0000-2111",
                "夜間・休日当番",
                out_of_hours=True,
            ),
            Channel(ChannelKind.EMAIL, "pacs@kaku-imaging.example.jp", "保守窓口"),
        ),
    ),
    OrganisationSpec(
        key="network",
        name="架空ネットワークサービス株式会社",
        name_en="Kaku Network Services Co., Ltd. (fictional)",
        kind=OrganisationKind.VENDOR,
        # The Osaka and Tokushima attacks came in through remote-maintenance
        # VPN devices: keep who owns them next to the vendor.
        notes=(
            "院内ネットワーク・VPN・リモート保守回線の保守ベンダ（架空）。"
            "VPN 装置の機種とファームウェアの版はこのベンダが管理する。"
        ),
        channels=(
            Channel(
                ChannelKind.PHONE,
                "0120-000-221",
                "24時間監視センター",
                out_of_hours=True,
            ),
            Channel(ChannelKind.FAX, "0120-000-222", "障害連絡 FAX"),
            Channel(ChannelKind.EMAIL, "noc@kaku-network.example.jp", "監視センター"),
        ),
    ),
    OrganisationSpec(
        key="catering",
        name="架空給食サービス株式会社",
        name_en="Kaku Catering Services Co., Ltd. (fictional)",
        kind=OrganisationKind.CONTRACTOR,
        # The 2022 Osaka attack entered through the caterer's data centre.
        notes=(
            "患者給食の委託業者（架空）。委託先データセンターと栄養管理システムの"
            "間に閉域 VPN 接続がある。"
        ),
        channels=(
            Channel(ChannelKind.PHONE, "0120-000-231", "本社 業務課（平日）"),
            Channel(
                ChannelKind.MOBILE,
                "090-0000-2311",
                "院内厨房責任者（早朝から夕方）",
                out_of_hours=True,
            ),
        ),
    ),
)

SYSTEMS = (
    ("電子カルテシステム", "Electronic health record", SystemKind.EHR, "ehr"),
    ("PACS（画像保存通信システム）", "PACS", SystemKind.PACS, "pacs"),
    ("臨床検査システム", "Laboratory system", SystemKind.LAB, "ehr"),
    ("薬剤部門システム", "Pharmacy system", SystemKind.PHARMACY, "ehr"),
    ("医事会計システム", "Billing system", SystemKind.BILLING, "ehr"),
    (
        "栄養管理システム",
        "Nutrition and catering system",
        SystemKind.CATERING,
        "catering",
    ),
    ("基幹ネットワーク・VPN", "Core network and VPN", SystemKind.NETWORK, "network"),
    ("院内グループウェア", "Groupware", SystemKind.OTHER, "network"),
)

# Contract and support details by system name; all fictional.
SYSTEM_SUPPORT = {
    "電子カルテシステム": (
        "保守契約 KMS-2024-0153（2024-04-01〜2029-03-31、年額。"
        "ハードウェア・ソフトウェア保守、リモート保守を含む）",
        "平日 9-17時 0120-000-201、夜間・休日の障害は 24時間受付 0120-000-202",
    ),
    "栄養管理システム": (
        "給食業務委託契約に付随するシステム利用・保守（委託先のデータセンタと"
        "閉域VPNで接続）",
        "平日 8-17時のみ。夜間・休日の窓口は未取り決め（要確認）",
    ),
    "基幹ネットワーク・VPN": (
        "ネットワーク機器保守契約 KNW-2023-0042（オンサイト保守、"
        "ファームウェア更新を含む）",
        "24時間 0120-000-221、技術者携帯 090-0000-2201",
    ),
}

# The two ways in that investigations keep finding (docs/incidents.md A, B).
# Patch dates are relative to the day the demo is loaded, so the dashboard
# always shows the stale one; firmware strings are made up.
DEVICES = (
    {
        "system": "栄養管理システム",
        "kind": DeviceKind.VPN,
        "make": "架空ネット機器",
        "model": "KVPN-100",
        "firmware_version": "5.6.3（既知の脆弱性あり、要更新）",
        "owner": DeviceOwner.VENDOR,
        "credentials_held_by": "給食委託業者の情報システム担当（病院は保持していない）",
        "patched_days_ago": 430,
        "notes": "委託業者データセンタとの閉域VPN。更新計画の確認が必要。",
    },
    {
        "system": "基幹ネットワーク・VPN",
        "kind": DeviceKind.VPN,
        "make": "架空ネット機器",
        "model": "KVPN-500",
        "firmware_version": "7.2.8",
        "owner": DeviceOwner.HOSPITAL,
        "credentials_held_by": "情報システム室長と ネットワークベンダの保守担当",
        "patched_days_ago": 21,
        "notes": "ベンダのリモート保守用。接続は事前申請の時間帯のみ許可。",
    },
)

AUTHORITIES = (
    OrganisationSpec(
        key="mhlw",
        # The office's name changed several times; regulatory.md §3 has the
        # 2026 name unconfirmed.
        name="厚生労働省 医政局 医療情報担当参事官室",
        name_en="MHLW, Health Policy Bureau, medical information office",
        kind=OrganisationKind.AUTHORITY,
        notes=(
            "手順2-13の報告先（医政総発1029第1号）。部署名は改称が続いている"
            "（医療情報技術推進室→特定医薬品開発支援・医療情報担当参事官室→"
            "医療情報担当参事官室）。現行の部署名・電話・メールは要確認。"
            "初動対応支援（MIST）は依頼により専門家が支援する。"
        ),
        source_url=MHLW_GUIDELINE_URL,
        verified_on=VERIFIED_ON,
        needs_verification=True,
        channels=(
            Channel(
                ChannelKind.OTHER,
                "要確認：現行の電話番号・メールアドレスは未確認。出典ページで最新の"
                "連絡先を確かめて登録すること",
                "報告窓口",
                source_url=MHLW_GUIDELINE_URL,
                verified_on=VERIFIED_ON,
                needs_verification=True,
            ),
            Channel(
                ChannelKind.OTHER,
                MHLW_SUPPORT_URL,
                "初動対応支援（MIST）",
                source_url=MHLW_SUPPORT_URL,
                verified_on=VERIFIED_ON,
            ),
        ),
    ),
    OrganisationSpec(
        key="ppc",
        name="個人情報保護委員会",
        name_en="Personal Information Protection Commission (PPC)",
        kind=OrganisationKind.AUTHORITY,
        notes="手順4-3の報告先（個人情報保護法26条、施行規則7-10条）。"
        "漏えい等報告はオンラインの報告フォームから行う。",
        source_url=PPC_LEAK_URL,
        verified_on=VERIFIED_ON,
        channels=(
            Channel(
                ChannelKind.OTHER,
                PPC_LEAK_URL,
                "漏えい等報告（オンラインフォーム）",
                out_of_hours=True,
                source_url=PPC_LEAK_URL,
                verified_on=VERIFIED_ON,
            ),
        ),
    ),
    OrganisationSpec(
        key="police",
        name="警察（サイバー事案の通報・相談）",
        name_en="Police (cybercrime reports)",
        kind=OrganisationKind.AUTHORITY,
        notes=(
            "手順2-18の届出先。オンライン窓口での通報は正式な被害届ではない"
            "（被害届は所轄の警察署へ）。ログ、マルウェア検体、システム構成図を"
            "求められる。"
        ),
        source_url=NPA_CYBER_URL,
        verified_on=VERIFIED_ON,
        channels=(
            Channel(
                ChannelKind.OTHER,
                NPA_CYBER_URL,
                "サイバー事案に関する通報等のオンライン受付窓口",
                out_of_hours=True,
                source_url=NPA_CYBER_URL,
                verified_on=VERIFIED_ON,
            ),
            Channel(
                ChannelKind.PHONE,
                "#9110",
                "警察相談専用電話（緊急でない相談）",
                source_url=NPA_CYBER_URL,
                verified_on=VERIFIED_ON,
            ),
            Channel(
                ChannelKind.PHONE,
                "110",
                "緊急の場合",
                out_of_hours=True,
                source_url=NPA_CYBER_URL,
                verified_on=VERIFIED_ON,
            ),
        ),
    ),
    OrganisationSpec(
        key="ipa",
        name=(
            "独立行政法人情報処理推進機構（IPA） "
            "企業組織向けサイバーセキュリティ相談窓口"
        ),
        name_en="IPA cybersecurity help desk for organisations",
        kind=OrganisationKind.AUTHORITY,
        notes=(
            "手順2-5の相談先（2025-04-01から企業・組織向け）。個人向けの情報セキュリ"
            "ティ安心相談窓口とは別。ウイルス・不正アクセスの届出は相談とは別手続。"
        ),
        source_url=IPA_SUPPORT_URL,
        verified_on=VERIFIED_ON,
        needs_verification=True,
        channels=(
            # Only a secondary source gives the address (regulatory.md §5).
            Channel(
                ChannelKind.EMAIL,
                "cs-support@ipa.go.jp",
                "相談受付（メール）",
                source_url=IPA_SUPPORT_URL,
                verified_on=VERIFIED_ON,
                needs_verification=True,
            ),
            # The seed's number appears only on an old IPA page.
            Channel(
                ChannelKind.PHONE,
                "03-5978-7509",
                "旧ページ掲載の番号（現行か要確認）",
                source_url=IPA_SUPPORT_URL,
                verified_on=VERIFIED_ON,
                needs_verification=True,
            ),
        ),
    ),
    OrganisationSpec(
        key="jpcert",
        name="一般社団法人JPCERTコーディネーションセンター（JPCERT/CC）",
        name_en="JPCERT/CC",
        kind=OrganisationKind.AUTHORITY,
        notes="手順2-5の相談・報告先。インシデント報告と相談の窓口が別にある。",
        source_url=JPCERT_REPORT_URL,
        verified_on=VERIFIED_ON,
        channels=(
            Channel(
                ChannelKind.OTHER,
                JPCERT_REPORT_URL,
                "インシデント報告フォーム",
                out_of_hours=True,
                source_url=JPCERT_REPORT_URL,
                verified_on=VERIFIED_ON,
            ),
            Channel(
                ChannelKind.OTHER,
                JPCERT_CONSULT_URL,
                "インシデント対応の相談",
                source_url=JPCERT_CONSULT_URL,
                verified_on=VERIFIED_ON,
            ),
        ),
    ),
    OrganisationSpec(
        key="prefecture",
        name="架空県 健康医療部 医療政策課",
        name_en="Kaku Prefecture health department (fictional)",
        kind=OrganisationKind.AUTHORITY,
        notes=(
            "架空の県（デモ用）。医療法25条の立入検査を行う所管部署。"
            "実際の病院では所在地の都道府県（保健所設置市を含む）の窓口を登録する。"
        ),
        source_url=PREFECTURE_URL,
        verified_on=VERIFIED_ON,
        needs_verification=True,
        channels=(
            Channel(
                ChannelKind.PHONE,
                "0120-000-901",
                "医療政策課（平日 9-17時）",
                source_url=PREFECTURE_URL,
                verified_on=VERIFIED_ON,
                needs_verification=True,
            ),
            Channel(
                ChannelKind.PHONE,
                "0120-000-902",
                "夜間・休日の緊急連絡（県庁守衛室経由）",
                out_of_hours=True,
                source_url=PREFECTURE_URL,
                verified_on=VERIFIED_ON,
                needs_verification=True,
            ),
        ),
    ),
)


def _person_channels(
    phone: str, mobile: str, email: str, *, mobile_out_of_hours: bool = True
) -> tuple[Channel, ...]:
    """Office phone first, then mobile (reachable at night), then e-mail,
    which may be down in an attack and so comes last."""
    return (
        Channel(ChannelKind.PHONE, phone, "内線・直通"),
        Channel(ChannelKind.MOBILE, mobile, "携帯", out_of_hours=mobile_out_of_hours),
        Channel(ChannelKind.EMAIL, email, "メール"),
    )


ADMIN = PersonSpec(
    username="admin",
    display_name="管理 大地",
    job_title="情報システム室 MedIR 管理担当",
    roles=(Role.ADMINISTRATOR,),
    description="管理者 / administrator (organisation data)",
    department="情報システム室",
    channels=_person_channels(
        "0120-000-111",
        "090-0000-1011",
        "admin@medir-kinen.example.jp",
        mobile_out_of_hours=False,
    ),
)

PEOPLE = (
    PersonSpec(
        username="director",
        display_name="記念 一郎",
        job_title="病院長",
        roles=(Role.MANAGEMENT,),
        description="経営層（病院長） / management (director)",
        channels=_person_channels(
            "0120-000-101", "090-0000-1001", "director@medir-kinen.example.jp"
        ),
    ),
    PersonSpec(
        username="vicedirector",
        display_name="副島 二郎",
        job_title="副院長",
        roles=(Role.MANAGEMENT,),
        description="経営層（副院長・院長の代理） / management (deputy)",
        deputy_for="director",
        channels=_person_channels(
            "0120-000-102", "090-0000-1002", "vicedirector@medir-kinen.example.jp"
        ),
    ),
    PersonSpec(
        username="manager",
        display_name="安全 守",
        job_title="情報システム室長（医療情報システム安全管理責任者）",
        roles=(Role.SECURITY_MANAGER,),
        description="医療情報システム安全管理責任者 / security manager",
        department="情報システム室",
        channels=_person_channels(
            "0120-000-103", "090-0000-1003", "manager@medir-kinen.example.jp"
        ),
    ),
    PersonSpec(
        username="deputy",
        display_name="代田 みのり",
        job_title="情報システム室 主任（安全管理責任者の代理）",
        roles=(Role.SECURITY_MANAGER,),
        description="安全管理責任者の代理 / deputy security manager",
        department="情報システム室",
        deputy_for="manager",
        channels=_person_channels(
            "0120-000-104", "090-0000-1004", "deputy@medir-kinen.example.jp"
        ),
    ),
    PersonSpec(
        username="nurse",
        display_name="東 さくら",
        job_title="看護師",
        roles=(Role.STAFF,),
        description="医療従事者（東4病棟 看護師） / staff (ward nurse)",
        department="東4病棟",
        channels=(
            # The ward's nurses' station is staffed around the clock.
            Channel(
                ChannelKind.PHONE,
                "0120-000-141",
                "東4病棟 ナースステーション",
                out_of_hours=True,
            ),
            Channel(ChannelKind.EMAIL, "nurse@medir-kinen.example.jp", "メール"),
        ),
    ),
    PersonSpec(
        username="nurse2",
        display_name="西山 はるか",
        job_title="看護師",
        roles=(Role.STAFF,),
        description="医療従事者（西5病棟 看護師） / staff (ward nurse)",
        department="西5病棟",
        channels=(
            Channel(
                ChannelKind.PHONE,
                "0120-000-151",
                "西5病棟 ナースステーション",
                out_of_hours=True,
            ),
            Channel(ChannelKind.EMAIL, "nurse2@medir-kinen.example.jp", "メール"),
        ),
    ),
    PersonSpec(
        username="doctor",
        display_name="内科 健",
        job_title="内科医師",
        roles=(Role.STAFF,),
        description="医療従事者（外来 医師） / staff (doctor)",
        department="外来",
        channels=_person_channels(
            "0120-000-161",
            "090-0000-1061",
            "doctor@medir-kinen.example.jp",
            mobile_out_of_hours=False,
        ),
    ),
    PersonSpec(
        username="clerk",
        display_name="医事 まこと",
        job_title="医事課 事務員",
        roles=(Role.STAFF,),
        description="医療従事者（医事課 事務） / staff (clerk)",
        department="医事課",
        channels=(
            Channel(ChannelKind.PHONE, "0120-000-171", "医事課（平日 8:30-17:15）"),
            Channel(ChannelKind.EMAIL, "clerk@medir-kinen.example.jp", "メール"),
        ),
    ),
    PersonSpec(
        username="vendor",
        display_name="保守 誠",
        job_title="カスタマーエンジニア（電子カルテ担当）",
        roles=(Role.EXTERNAL,),
        description="外部（電子カルテベンダ） / external (EHR vendor)",
        organisation="ehr",
        channels=_person_channels(
            "0120-000-203", "090-0000-2001", "engineer@kaku-medical.example.jp"
        ),
    ),
    PersonSpec(
        username="vendor2",
        display_name="網野 翔",
        job_title="ネットワークエンジニア（VPN・リモート保守担当）",
        roles=(Role.EXTERNAL,),
        description="外部（ネットワーク・VPN ベンダ） / external (network vendor)",
        organisation="network",
        channels=_person_channels(
            "0120-000-223", "090-0000-2201", "engineer@kaku-network.example.jp"
        ),
    ),
)


def _save(obj, *, actor):
    return save_organisation_record(obj, actor=actor, is_new=True)


def _add_channels(channels, *, actor, person=None, organisation=None) -> None:
    for order, channel in enumerate(channels, start=1):
        _save(
            ContactChannel(
                person=person,
                organisation=organisation,
                order=order,
                kind=channel.kind,
                value=channel.value,
                label=channel.label,
                out_of_hours=channel.out_of_hours,
                source_url=channel.source_url,
                verified_on=channel.verified_on,
                needs_verification=channel.needs_verification,
            ),
            actor=actor,
        )


def _add_organisation(spec: OrganisationSpec, *, actor) -> Organisation:
    organisation = _save(
        Organisation(
            name=spec.name,
            name_en=spec.name_en,
            kind=spec.kind,
            notes=spec.notes,
            source_url=spec.source_url,
            verified_on=spec.verified_on,
            needs_verification=spec.needs_verification,
        ),
        actor=actor,
    )
    _add_channels(spec.channels, actor=actor, organisation=organisation)
    return organisation


def _add_remote_access(systems, vendors, *, actor) -> None:
    """The VPN devices, and yesterday's EHR work for step 2-2 to find."""
    today = timezone.localdate()
    for spec in DEVICES:
        fields = dict(spec)
        system = systems[fields.pop("system")]
        days_ago = fields.pop("patched_days_ago")
        add_remote_access_device(
            system,
            actor=actor,
            last_patched_on=today - dt.timedelta(days=days_ago),
            **fields,
        )
    append_maintenance_log_entry(
        systems["電子カルテシステム"],
        actor=actor,
        performed_at=timezone.now() - dt.timedelta(days=1),
        kind=MaintenanceKind.MAINTENANCE,
        performed_by="保守 誠（カスタマーエンジニア）",
        performed_by_organisation=vendors["ehr"],
        summary="リモート保守でデータベースサーバに月例パッチを適用し、再起動した。",
    )
    append_maintenance_log_entry(
        systems["電子カルテシステム"],
        actor=actor,
        performed_at=timezone.now() - dt.timedelta(days=12),
        kind=MaintenanceKind.DATA_MIGRATION,
        performed_by_organisation=vendors["ehr"],
        summary="旧検査システムの過去データを電子カルテへ移行した。",
    )


def load_demo_hospital(*, actor=None) -> list[tuple[str, str, str]]:
    """Load the demo hospital into an empty installation, all or nothing.

    Returns (username, password, role description) for each demo log-in.
    Raises ValueError (from initialise_hospital) if a hospital exists.
    """
    with transaction.atomic():
        hospital = initialise_hospital(
            actor=actor,
            name=HOSPITAL_NAME,
            operator_type=OperatorType.MEDICAL_CORPORATION,
            admin_username=ADMIN.username,
            admin_password=DEMO_PASSWORD,
            admin_display_name=ADMIN.display_name,
            is_demo=True,
        )
        hospital.name_en = HOSPITAL_NAME_EN
        hospital.address = "架空県架空市記念町1-1（架空の住所）"
        save_organisation_record(hospital, actor=actor, is_new=False)

        departments = {
            name: _save(Department(name=name, name_en=name_en), actor=actor)
            for name, name_en in DEPARTMENTS
        }
        vendors = {spec.key: _add_organisation(spec, actor=actor) for spec in VENDORS}
        systems = {}
        for name, name_en, kind, vendor_key in SYSTEMS:
            contract, support = SYSTEM_SUPPORT.get(name, ("", ""))
            systems[name] = _save(
                System(
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    vendor=vendors[vendor_key],
                    maintenance_contract=contract,
                    support_hours=support,
                ),
                actor=actor,
            )
        _add_remote_access(systems, vendors, actor=actor)
        for spec in AUTHORITIES:
            _add_organisation(spec, actor=actor)
        load_demo_network(actor=actor)

        # initialise_hospital created the administrator; give them a
        # department, a job title and channels like everyone else.
        admin = Person.objects.get(user__username=ADMIN.username)
        admin.department = departments[ADMIN.department]
        admin.job_title = ADMIN.job_title
        save_organisation_record(admin, actor=actor, is_new=False)
        _add_channels(ADMIN.channels, actor=actor, person=admin)

        people: dict[str, Person] = {}
        for spec in PEOPLE:
            person = create_person(
                actor=actor,
                display_name=spec.display_name,
                roles=list(spec.roles),
                username=spec.username,
                password=DEMO_PASSWORD,
                job_title=spec.job_title,
                department=departments.get(spec.department),
                organisation=vendors.get(spec.organisation),
                deputy_for=people.get(spec.deputy_for),
            )
            _add_channels(spec.channels, actor=actor, person=person)
            people[spec.username] = person

        load_demo_contacts(actor=actor)

    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role description) of every demo log-in."""
    return [
        (spec.username, DEMO_PASSWORD, spec.description) for spec in (*PEOPLE, ADMIN)
    ]
