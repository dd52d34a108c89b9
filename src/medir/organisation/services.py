"""Changes to the organisation data, each audited.

The organisation data is edited in Django's admin for now; the admin calls
these functions so that every save and deletion lands in the audit chain in
the same transaction as the change itself.
"""

import datetime
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from medir.audit.services import append_audit_record, snapshot
from medir.organisation.models import (
    Hospital,
    MaintenanceKind,
    MaintenanceLogEntry,
    OperatorType,
    Organisation,
    Person,
    RemoteAccessDevice,
    Role,
    RoleAssignment,
    System,
)

logger = logging.getLogger(__name__)


def save_organisation_record(obj: Model, *, actor, is_new: bool) -> Model:
    """Save any organisation object and audit the change."""
    with transaction.atomic():
        before = None
        if not is_new:
            previous = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(previous) if previous else None
        obj.save()
        append_audit_record(
            actor=actor,
            action="organisation.created" if is_new else "organisation.changed",
            obj=obj,
            before=before,
            after=snapshot(obj),
        )
    logger.info(
        "Organisation record saved type=%s id=%s", obj._meta.label_lower, obj.pk
    )
    return obj


def delete_organisation_record(obj: Model, *, actor) -> None:
    with transaction.atomic():
        before = snapshot(obj)
        label, pk = obj._meta.label_lower, obj.pk
        obj.delete()
        append_audit_record(
            actor=actor,
            action="organisation.deleted",
            object_type=label,
            object_id=str(pk),
            before=before,
        )
    logger.info("Organisation record deleted type=%s id=%s", label, pk)


def create_person(
    *,
    actor,
    display_name: str,
    roles: list[str],
    username: str | None = None,
    password: str | None = None,
    **fields,
) -> Person:
    """Create a person, optionally with an account, and their roles."""
    with transaction.atomic():
        user = None
        if username:
            user = get_user_model().objects.create_user(
                username=username, password=password
            )
            if Role.ADMINISTRATOR in roles:
                user.is_staff = True
                user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        person = Person.objects.create(user=user, display_name=display_name, **fields)
        for role in roles:
            RoleAssignment.objects.create(person=person, role=Role(role))
        append_audit_record(
            actor=actor,
            action="person.created",
            obj=person,
            after={
                **snapshot(person),
                "roles": sorted(roles),
                "username": username or "",
            },
        )
    logger.info(
        "Person created person_id=%s roles=%s", person.pk, ",".join(sorted(roles))
    )
    return person


def initialise_hospital(
    *,
    actor,
    name: str,
    operator_type: str = OperatorType.MEDICAL_CORPORATION,
    admin_username: str,
    admin_password: str,
    admin_display_name: str,
    is_demo: bool = False,
) -> Hospital:
    """Create the installation's hospital and its first administrator."""
    with transaction.atomic():
        if Hospital.objects.exists():
            raise ValueError("This installation already has its hospital.")
        hospital = Hospital.objects.create(
            name=name, operator_type=OperatorType(operator_type), is_demo=is_demo
        )
        append_audit_record(
            actor=actor,
            action="hospital.created",
            obj=hospital,
            after=snapshot(hospital),
        )
        create_person(
            actor=actor,
            display_name=admin_display_name,
            roles=[Role.ADMINISTRATOR],
            username=admin_username,
            password=admin_password,
        )
    logger.info("Hospital initialised hospital_id=%s demo=%s", hospital.pk, is_demo)
    return hospital


def add_remote_access_device(
    system: System, *, actor, make: str, firmware_version: str, owner: str, **fields
) -> RemoteAccessDevice:
    """Inventory a device through which ``system`` is maintained remotely."""
    device = RemoteAccessDevice(
        system=system,
        make=make,
        firmware_version=firmware_version,
        owner=owner,
        **fields,
    )
    device.full_clean()
    with transaction.atomic():
        device.save()
        append_audit_record(
            actor=actor,
            action="remote_access_device.added",
            obj=device,
            after=snapshot(device),
        )
    logger.info(
        "Remote-access device added device_id=%s system_id=%s", device.pk, system.pk
    )
    return device


def record_device_patch(
    device: RemoteAccessDevice,
    *,
    actor,
    firmware_version: str,
    patched_on: datetime.date | None = None,
) -> RemoteAccessDevice:
    """Record that a device now runs ``firmware_version``, patched on a day."""
    with transaction.atomic():
        before = snapshot(device)
        device.firmware_version = firmware_version
        device.last_patched_on = patched_on or timezone.localdate()
        device.save(update_fields=["firmware_version", "last_patched_on"])
        append_audit_record(
            actor=actor,
            action="remote_access_device.patched",
            obj=device,
            before=before,
            after=snapshot(device),
        )
    logger.info("Remote-access device patched device_id=%s", device.pk)
    return device


def append_maintenance_log_entry(
    system: System,
    *,
    actor,
    performed_at: datetime.datetime,
    summary: str,
    kind: str = MaintenanceKind.MAINTENANCE,
    performed_by: str = "",
    performed_by_organisation: Organisation | None = None,
) -> MaintenanceLogEntry:
    """Append one entry to a system's work log; entries are never changed."""
    if timezone.is_naive(performed_at):
        raise ValueError("performed_at must be an aware datetime")
    if not (performed_by or performed_by_organisation):
        raise ValueError("say who performed the work")
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        entry = MaintenanceLogEntry.objects.create(
            system=system,
            performed_at=performed_at,
            summary=summary,
            kind=MaintenanceKind(kind),
            performed_by=performed_by,
            performed_by_organisation=performed_by_organisation,
            recorded_by=user,
        )
        append_audit_record(
            actor=actor,
            action="maintenance_log.appended",
            obj=entry,
            after=snapshot(entry),
        )
    logger.info(
        "Maintenance log entry appended entry_id=%s system_id=%s kind=%s",
        entry.pk,
        system.pk,
        entry.kind,
    )
    return entry
