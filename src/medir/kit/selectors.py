"""Who may print the kit, and whether the printed one is still current."""

from dataclasses import dataclass

from medir.incidents.permissions import roles_of
from medir.kit.models import KitPrint
from medir.kit.sections import current_data_version
from medir.organisation.models import Role

# Those who keep the paper current: who decide, who run the response, and
# who keep the data it is printed from.
KIT_PRINTERS = {Role.MANAGEMENT, Role.SECURITY_MANAGER, Role.ADMINISTRATOR}


def may_print_kit(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(roles_of(user) & KIT_PRINTERS) or bool(user.is_staff)


def last_print() -> KitPrint | None:
    return KitPrint.objects.select_related("printed_by").first()


@dataclass(frozen=True)
class KitStatus:
    last: KitPrint | None
    current_version: str

    @property
    def is_current(self) -> bool:
        return self.last is not None and self.last.data_version == self.current_version

    @property
    def reason(self) -> str:
        """ "never", "outdated" or "" (current): for templates and tests."""
        if self.last is None:
            return "never"
        return "" if self.is_current else "outdated"


def kit_status() -> KitStatus:
    return KitStatus(last=last_print(), current_version=current_data_version())


def kit_reminder(user) -> KitStatus | None:
    """The kit's status for those who print it; None for everyone else.

    The dashboard shows a reminder unless ``is_current``.
    """
    if not may_print_kit(user):
        return None
    return kit_status()
