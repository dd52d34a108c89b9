from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from medir.audit.services import append_audit_record
from medir.organisation import models
from medir.organisation.services import (
    append_maintenance_log_entry,
    delete_organisation_record,
    save_organisation_record,
)


class AuditedAdmin(admin.ModelAdmin):
    """Routes every admin save and deletion through the audited services."""

    def save_model(self, request, obj, form, change):
        save_organisation_record(obj, actor=request.user, is_new=not change)

    def delete_model(self, request, obj):
        delete_organisation_record(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_organisation_record(obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_organisation_record(obj, actor=request.user)
        for obj in instances:
            save_organisation_record(obj, actor=request.user, is_new=obj.pk is None)
        formset.save_m2m()


class ChannelInline(admin.TabularInline):
    model = models.ContactChannel
    extra = 1


class RoleInline(admin.TabularInline):
    model = models.RoleAssignment
    extra = 1


@admin.register(models.Hospital)
class HospitalAdmin(AuditedAdmin):
    list_display = ["name", "operator_type", "is_demo"]


@admin.register(models.Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "name_en"]


@admin.register(models.Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "verified_on", "needs_verification"]
    list_filter = ["kind", "needs_verification"]
    inlines = [ChannelInline]


@admin.register(models.Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["display_name", "department", "organisation", "deputy_for"]
    inlines = [RoleInline, ChannelInline]


@admin.register(models.ContactChannel)
class ContactChannelAdmin(AuditedAdmin):
    list_display = ["value", "kind", "person", "organisation", "order", "verified_on"]
    list_filter = ["kind", "needs_verification", "out_of_hours"]


class RemoteAccessDeviceInline(admin.StackedInline):
    model = models.RemoteAccessDevice
    extra = 0


@admin.register(models.System)
class SystemAdmin(AuditedAdmin):
    list_display = ["name", "kind", "vendor"]
    inlines = [RemoteAccessDeviceInline]


@admin.register(models.RemoteAccessDevice)
class RemoteAccessDeviceAdmin(AuditedAdmin):
    list_display = [
        "system",
        "kind",
        "make",
        "model",
        "firmware_version",
        "owner",
        "last_patched_on",
    ]
    list_filter = ["kind", "owner"]


@admin.register(models.MaintenanceLogEntry)
class MaintenanceLogEntryAdmin(admin.ModelAdmin):
    """Entries are added here and then only read: the log is append-only."""

    list_display = ["performed_at", "system", "kind", "performer", "recorded_by"]
    list_filter = ["kind", "system"]
    fields = [
        "system",
        "performed_at",
        "performed_by_organisation",
        "performed_by",
        "kind",
        "summary",
    ]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        entry = append_maintenance_log_entry(
            obj.system,
            actor=request.user,
            performed_at=obj.performed_at,
            summary=obj.summary,
            kind=obj.kind,
            performed_by=obj.performed_by,
            performed_by_organisation=obj.performed_by_organisation,
        )
        obj.pk = entry.pk
        obj._state.adding = False


class AuditedUserAdmin(UserAdmin):
    """Accounts are organisation data too: creating, changing, deleting
    an account and setting its password all land in the audit chain."""

    def save_model(self, request, obj, form, change):
        save_organisation_record(obj, actor=request.user, is_new=not change)

    def delete_model(self, request, obj):
        delete_organisation_record(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            delete_organisation_record(obj, actor=request.user)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = get_user_model().objects.get(pk=id)
                # The digest itself never enters the audit record.
                append_audit_record(
                    actor=request.user,
                    action="account.password_set",
                    obj=user,
                    after={"username": user.get_username()},
                )
        return response


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), AuditedUserAdmin)
