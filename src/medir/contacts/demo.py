"""The demo hospital's call tree and the authorities' parts, for trying
MedIR out. Called by ``medir.organisation.demo`` once its people and
organisations exist; every row goes through the audited services.
"""

from medir.contacts.models import CallWhen
from medir.contacts.services import save_call_tree_link
from medir.organisation.models import Authority, Organisation, Person
from medir.organisation.services import save_organisation_record

# Who calls whom (username or organisation key), in order. Made up, but
# the shape a hospital's 連絡網 usually has: the ward calls the security
# manager, who calls the deputy, the vendors and management; management
# calls the authorities once an attack is suspected.
CALL_TREE = (
    ("nurse", "manager", CallWhen.ALWAYS, "感染の兆候・発見時刻・端末の場所を伝える"),
    ("nurse", "deputy", CallWhen.OUT_OF_HOURS, "室長に繋がらない夜間・休日"),
    ("nurse2", "manager", CallWhen.ALWAYS, ""),
    ("manager", "deputy", CallWhen.ALWAYS, "院内の初動を分担する"),
    ("manager", "org:ehr", CallWhen.ALWAYS, "前日までの保守作業の有無を確認（2-2）"),
    ("manager", "org:network", CallWhen.ATTACK, "VPN・外部接続の遮断（2-6）"),
    ("manager", "director", CallWhen.ALWAYS, "攻撃の兆候があれば直ちに報告（2-7）"),
    ("manager", "org:ipa", CallWhen.ATTACK, "技術的な相談（2-5）"),
    ("director", "vicedirector", CallWhen.ALWAYS, "対策本部の立ち上げ"),
    ("director", "org:mhlw", CallWhen.ATTACK, "厚生労働省へ報告（2-13）"),
    ("director", "org:police", CallWhen.ATTACK, "警察へ届出（2-18）"),
    ("vicedirector", "org:prefecture", CallWhen.ATTACK, "県の所管部署へ連絡"),
    ("deputy", "org:pacs", CallWhen.ALWAYS, "画像系への影響を確認"),
    ("deputy", "org:catering", CallWhen.ATTACK, "委託先との閉域VPNの確認"),
)


def load_demo_contacts(*, actor) -> None:
    from medir.organisation import demo

    organisations = {
        spec.key: Organisation.objects.get(name=spec.name)
        for spec in (*demo.VENDORS, *demo.AUTHORITIES)
    }
    # The demo's authority keys are the authority codes themselves.
    for key in Authority.values:
        organisation = organisations[key]
        organisation.authority = key
        save_organisation_record(organisation, actor=actor, is_new=False)

    people = {
        person.user.username: person
        for person in Person.objects.select_related("user").exclude(user=None)
    }
    positions: dict[str, int] = {}
    for caller, callee, when, note in CALL_TREE:
        positions[caller] = positions.get(caller, 0) + 1
        organisation = (
            organisations.get(callee[4:]) if callee.startswith("org:") else None
        )
        save_call_tree_link(
            None,
            actor=actor,
            caller=people[caller],
            callee_person=None if organisation else people[callee],
            callee_organisation=organisation,
            position=positions[caller],
            when=when,
            note=note,
        )
