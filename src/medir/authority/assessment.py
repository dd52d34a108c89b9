"""Whether a PPC report is mandatory, and under which case of rule 7.

個人情報保護法26条1項 and 同法施行規則7条: a leak, loss or damage of personal
data that has occurred or may have occurred must be reported when

  1号  special-care data (要配慮個人情報) is involved, for any number;
  2号  there is a risk of financial damage (cards, bank credentials);
  3号  it may have been done with a wrongful purpose (unauthorised access,
       ransomware, an insider taking data);
  4号  more than 1,000 people are involved.

Data under strong encryption whose key is safe is exempt. The duty took
effect on 2022-04-01 for private-sector bodies; hospitals run by local
governments and hospital-type local incorporated administrative agencies
came under the same rules on 2023-04-01 (before that, their local
ordinance applied).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from medir.organisation.models import OperatorType

PRIVATE_SECTOR_FROM = dt.date(2022, 4, 1)
PUBLIC_HOSPITALS_FROM = dt.date(2023, 4, 1)
PUBLIC_OPERATORS = {OperatorType.LOCAL_GOVERNMENT, OperatorType.LOCAL_INCORPORATED}
FOURTH_CASE_THRESHOLD = 1000


@dataclass(frozen=True)
class Facts:
    leaked: str = "unknown"
    lost: str = "unknown"
    damaged: str = "unknown"
    sensitive: str = "unknown"
    financial_risk: str = "unknown"
    wrongful_purpose: str = "unknown"
    strongly_encrypted: bool = False
    people_count: int | None = None


@dataclass(frozen=True)
class Assessment:
    # True: mandatory; False: not mandatory; None: cannot tell yet.
    mandatory: bool | None
    cases: tuple[int, ...] = ()
    rules_apply: bool = True
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _counts(answer: str) -> bool | None:
    """Yes and possibly both count (おそれ); unknown stays unknown."""
    return {"yes": True, "possibly": True, "no": False}.get(answer)


def assess_ppc_report(
    facts: Facts, *, operator_type: str, aware_on: dt.date
) -> Assessment:
    """Decide under the rules in force on the awareness date."""
    if operator_type in PUBLIC_OPERATORS and aware_on < PUBLIC_HOSPITALS_FROM:
        return Assessment(
            mandatory=False,
            rules_apply=False,
            reasons=(
                _(
                    "On %(date)s the PPC reporting rules did not yet apply to a "
                    "hospital run by a local government or a local incorporated "
                    "administrative agency: its local ordinance did (they apply "
                    "from 2023-04-01)."
                )
                % {"date": aware_on.isoformat()},
            ),
        )
    if aware_on < PRIVATE_SECTOR_FROM:
        return Assessment(
            mandatory=False,
            rules_apply=False,
            reasons=(
                _(
                    "On %(date)s the mandatory PPC report did not yet exist "
                    "(it applies from 2022-04-01)."
                )
                % {"date": aware_on.isoformat()},
            ),
        )

    breach = [_counts(a) for a in (facts.leaked, facts.lost, facts.damaged)]
    if all(b is False for b in breach):
        return Assessment(
            mandatory=False,
            reasons=(
                _("No personal data was leaked, lost or damaged, nor may have been."),
            ),
        )
    if facts.strongly_encrypted:
        return Assessment(
            mandatory=False,
            reasons=(
                _("The data was strongly encrypted and the key is safe (exempt)."),
            ),
        )

    cases: list[int] = []
    reasons: list[str] = []
    unknowns: list[str] = []
    tests = [
        (1, _counts(facts.sensitive), _("special-care data such as medical records")),
        (2, _counts(facts.financial_risk), _("a risk of financial damage")),
        (3, _counts(facts.wrongful_purpose), _("a possible wrongful purpose")),
    ]
    if facts.people_count is None:
        tests.append((4, None, _("more than 1,000 people")))
    else:
        tests.append(
            (4, facts.people_count > FOURTH_CASE_THRESHOLD, _("more than 1,000 people"))
        )
    for case, answer, label in tests:
        if answer is True:
            cases.append(case)
            reasons.append(
                _("Case %(case)s of rule 7: %(what)s.") % {"case": case, "what": label}
            )
        elif answer is None:
            unknowns.append(label)

    breach_known = any(b is True for b in breach)
    if cases and breach_known:
        return Assessment(mandatory=True, cases=tuple(cases), reasons=tuple(reasons))
    if cases:
        reasons.append(
            _("Whether personal data was leaked, lost or damaged is not known yet.")
        )
        return Assessment(mandatory=None, cases=tuple(cases), reasons=tuple(reasons))
    if unknowns:
        return Assessment(
            mandatory=None,
            reasons=(
                _("Not known yet: %(items)s.") % {"items": _(", ").join(unknowns)},
            ),
        )
    return Assessment(
        mandatory=False,
        reasons=(_("None of the four cases of rule 7 applies."),),
    )
