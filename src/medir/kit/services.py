"""Recording that a paper kit was made."""

import logging

from django.db import transaction

from medir.audit.services import append_audit_record, snapshot
from medir.kit.models import KitPrint, PrintedVia
from medir.kit.pdf import Kit, build_kit

logger = logging.getLogger(__name__)


def record_kit_printed(kit: Kit, *, actor, via: str) -> KitPrint:
    """Keep the print, with the data version it was made from, and audit it.

    The audit record follows the chain head printed in the kit, so the
    paper proves the chain up to that head existed when it was printed.
    """
    with transaction.atomic():
        printed = KitPrint.objects.create(
            printed_at=kit.printed_at,
            printed_by=actor if getattr(actor, "is_authenticated", False) else None,
            via=PrintedVia(via),
            data_version=kit.data_version,
            chain_head_id=kit.chain_head_id,
            chain_head_digest=kit.chain_head_digest,
            sha256=kit.sha256,
            pages=kit.pages,
        )
        append_audit_record(
            actor=actor, action="kit.printed", obj=printed, after=snapshot(printed)
        )
    logger.info(
        "Paper kit printed kit_print_id=%s data_version=%s via=%s pages=%s",
        printed.pk,
        printed.data_version,
        printed.via,
        printed.pages,
    )
    return printed


def print_kit(*, actor, via: str) -> tuple[Kit, KitPrint]:
    """Draw the kit from the current data and record the print."""
    kit = build_kit(actor=actor)
    return kit, record_kit_printed(kit, actor=actor, via=via)
