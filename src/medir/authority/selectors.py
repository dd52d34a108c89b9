from medir.authority.assessment import Assessment, Facts, assess_ppc_report
from medir.authority.models import PersonalDataFacts
from medir.incidents.models import Incident
from medir.lib.dates import local_date
from medir.organisation.models import Hospital, OperatorType


def get_ppc_assessment(incident: Incident) -> Assessment | None:
    """The PPC assessment; None while no personal-data facts are recorded."""
    row = PersonalDataFacts.objects.filter(incident=incident).first()
    if row is None:
        return None
    hospital = Hospital.objects.first()
    operator = hospital.operator_type if hospital else OperatorType.MEDICAL_CORPORATION
    facts = Facts(
        leaked=row.leaked,
        lost=row.lost,
        damaged=row.damaged,
        sensitive=row.sensitive,
        financial_risk=row.financial_risk,
        wrongful_purpose=row.wrongful_purpose,
        strongly_encrypted=row.strongly_encrypted,
        people_count=row.people_count,
    )
    aware_at = incident.aware_at or incident.reported_at
    return assess_ppc_report(
        facts, operator_type=operator, aware_on=local_date(aware_at)
    )
