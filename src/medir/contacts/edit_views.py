"""Editing the directory, the call tree and the systems' work log.

Every POST view checks its form, calls one service function, then
redirects; a refusal shows the form again with the message and nothing
has changed. The security manager and administrators edit; management
and staff read.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medir.contacts import forms, selectors, services
from medir.contacts.models import CallTreeLink
from medir.incidents import permissions
from medir.incidents.models import Incident
from medir.incidents.permissions import Action
from medir.incidents.services import IncidentError, record_call
from medir.organisation.models import ContactChannel, Organisation, Person, System
from medir.organisation.services import append_maintenance_log_entry
from medir.playbook.schema import get_playbook


def _require_editor(user) -> None:
    if not selectors.may_edit_directory(user):
        raise PermissionDenied


def _attempt(form, call: Callable[[], object]) -> bool:
    if not form.is_valid():
        return False
    try:
        call()
    except (services.ContactError, IncidentError, ValueError) as error:
        form.add_error(None, str(error))
        return False
    return True


def _form_page(request, form, *, title: str, back: str, extra=None, status=200):
    context = {"form": form, "title": title, "back": back, **(extra or {})}
    return render(request, "contacts/edit_form.html", context, status=status)


def _directory(anchor: str) -> str:
    return reverse("contacts:directory") + "#" + anchor


# --- People ------------------------------------------------------------------


def _person_form_view(request, person: Person | None):
    _require_editor(request.user)
    if request.method == "POST":
        form = forms.PersonForm(request.POST, person=person)

        def save():
            data = form.cleaned_data
            return services.save_person(
                person,
                actor=request.user,
                display_name=data["display_name"],
                job_title=data["job_title"],
                department=data["department"],
                organisation=data["organisation"],
                roles=list(data["roles"]),
                deputy_for=data["deputy_for"],
                is_active=data["is_active"],
            )

        if _attempt(form, save):
            messages.success(request, _("The person is saved."))
            return redirect(_directory("people"))
        status = 400
    else:
        form = forms.PersonForm(person=person)
        status = 200
    title = person.display_name if person else _("New person")
    return _form_page(
        request,
        form,
        title=title,
        back=_directory("people"),
        extra={"owner": person},
        status=status,
    )


@login_required
def new_person(request):
    return _person_form_view(request, None)


@login_required
def edit_person(request, pk: int):
    return _person_form_view(request, get_object_or_404(Person, pk=pk))


# --- Organisations -----------------------------------------------------------


def _organisation_form_view(request, organisation: Organisation | None):
    _require_editor(request.user)
    if request.method == "POST":
        form = forms.OrganisationForm(request.POST, organisation=organisation)

        def save():
            return services.save_organisation(
                organisation, actor=request.user, **form.cleaned_data
            )

        if _attempt(form, save):
            messages.success(request, _("The organisation is saved."))
            return redirect(_directory("organisations"))
        status = 400
    else:
        form = forms.OrganisationForm(organisation=organisation)
        status = 200
    title = organisation.name if organisation else _("New outside organisation")
    return _form_page(
        request,
        form,
        title=title,
        back=_directory("organisations"),
        extra={"owner": organisation},
        status=status,
    )


@login_required
def new_organisation(request):
    return _organisation_form_view(request, None)


@login_required
def edit_organisation(request, pk: int):
    return _organisation_form_view(request, get_object_or_404(Organisation, pk=pk))


# --- Channels and verification -----------------------------------------------


def _owner(kind: str, pk: int) -> Person | Organisation:
    model = Person if kind == "person" else Organisation
    return get_object_or_404(model, pk=pk)


def _owner_url(owner: Person | Organisation) -> str:
    if isinstance(owner, Person):
        return reverse("contacts:edit_person", args=[owner.pk])
    return reverse("contacts:edit_organisation", args=[owner.pk])


def _channel_form_view(request, *, owner, channel: ContactChannel | None):
    _require_editor(request.user)
    if request.method == "POST":
        form = forms.ChannelForm(request.POST, channel=channel)
        if _attempt(
            form,
            lambda: services.save_channel(
                channel, actor=request.user, owner=owner, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The channel is saved."))
            return redirect(_owner_url(owner))
        status = 400
    else:
        form = forms.ChannelForm(channel=channel)
        status = 200
    title = _("Channel of %(name)s") % {"name": owner}
    return _form_page(request, form, title=title, back=_owner_url(owner), status=status)


@login_required
def new_channel(request, kind: str, pk: int):
    return _channel_form_view(request, owner=_owner(kind, pk), channel=None)


@login_required
def edit_channel(request, pk: int):
    channel = get_object_or_404(ContactChannel, pk=pk)
    owner = channel.person or channel.organisation
    return _channel_form_view(request, owner=owner, channel=channel)


@login_required
@require_POST
def delete_channel(request, pk: int):
    _require_editor(request.user)
    channel = get_object_or_404(ContactChannel, pk=pk)
    owner = channel.person or channel.organisation
    services.delete_channel(channel, actor=request.user)
    messages.success(request, _("The channel is removed."))
    return redirect(_owner_url(owner))


@login_required
@require_POST
def move_channel(request, pk: int):
    _require_editor(request.user)
    channel = get_object_or_404(ContactChannel, pk=pk)
    owner = channel.person or channel.organisation
    try:
        services.move_channel(
            channel, actor=request.user, direction=request.POST.get("direction", "")
        )
    except services.ContactError as error:
        messages.error(request, str(error))
    return redirect(_owner_url(owner))


@login_required
@require_POST
def mark_verified(request, kind: str, pk: int):
    _require_editor(request.user)
    owner = _owner(kind, pk)
    services.mark_verified(owner, actor=request.user)
    messages.success(
        request,
        _("%(name)s is marked as verified today.") % {"name": owner},
    )
    if request.POST.get("next") == "directory":
        return redirect(_directory(f"{kind}-{pk}"))
    return redirect(_owner_url(owner))


# --- The call tree -----------------------------------------------------------


@login_required
def call_tree(request):
    if not selectors.may_read_directory(request.user):
        raise PermissionDenied
    context = {
        "tree": selectors.call_tree(),
        "links": CallTreeLink.objects.select_related(
            "caller", "callee_person", "callee_organisation"
        ),
        "may_edit": selectors.may_edit_directory(request.user),
        "printed_on": timezone.localdate(),
    }
    return render(request, "contacts/call_tree.html", context)


def _link_form_view(request, link: CallTreeLink | None):
    _require_editor(request.user)
    back = reverse("contacts:call_tree")
    if request.method == "POST":
        form = forms.CallTreeLinkForm(request.POST, link=link)
        if _attempt(
            form,
            lambda: services.save_call_tree_link(
                link, actor=request.user, **form.cleaned_data
            ),
        ):
            messages.success(request, _("The call tree is saved."))
            return redirect(back)
        status = 400
    else:
        form = forms.CallTreeLinkForm(link=link)
        status = 200
    return _form_page(
        request, form, title=_("Call tree: who calls whom"), back=back, status=status
    )


@login_required
def new_link(request):
    return _link_form_view(request, None)


@login_required
def edit_link(request, pk: int):
    return _link_form_view(request, get_object_or_404(CallTreeLink, pk=pk))


@login_required
@require_POST
def delete_link(request, pk: int):
    _require_editor(request.user)
    services.delete_call_tree_link(
        get_object_or_404(CallTreeLink, pk=pk), actor=request.user
    )
    messages.success(request, _("The call is removed from the tree."))
    return redirect("contacts:call_tree")


# --- Systems -----------------------------------------------------------------


def _systems_page(request, bound=None, status=200):
    if not selectors.may_read_systems(request.user):
        raise PermissionDenied
    may_log = selectors.may_edit_directory(request.user)
    bound = bound or {}
    systems = [
        {
            "system": system,
            "form": bound.get(system.pk)
            or (
                forms.WorkLogForm(
                    initial={
                        "performed_at": timezone.now(),
                        "performed_by_organisation": system.vendor_id,
                    },
                    auto_id=f"id_log_{system.pk}_%s",
                )
                if may_log
                else None
            ),
        }
        for system in selectors.get_systems()
    ]
    return render(request, "contacts/systems.html", {"systems": systems}, status=status)


@login_required
def systems(request):
    return _systems_page(request)


@login_required
@require_POST
def append_work_log(request, pk: int):
    if not selectors.may_edit_directory(request.user):
        raise PermissionDenied
    system = get_object_or_404(System, pk=pk)
    form = forms.WorkLogForm(request.POST, auto_id=f"id_log_{pk}_%s")
    if _attempt(
        form,
        lambda: append_maintenance_log_entry(
            system, actor=request.user, **form.cleaned_data
        ),
    ):
        messages.success(request, _("The work is logged."))
        return redirect(reverse("contacts:systems") + f"#system-{pk}")
    return _systems_page(request, {pk: form}, status=400)


# --- Calls at a step ---------------------------------------------------------


@login_required
def record_step_call(request, number: str, step_id: str):
    """GET shows the form alone; POST records the call (see the step page)."""
    incident = get_object_or_404(Incident, number=number)
    if step_id not in get_playbook().step_index:
        raise Http404("No such step")
    permissions.require(request.user, Action.WORK, incident, step_id=step_id)
    if not selectors.may_read_directory(request.user):
        raise PermissionDenied
    step_url = reverse("incidents:step", args=[number, step_id])
    if request.method == "POST":
        form = forms.CallForm(request.POST)
        if _attempt(
            form,
            lambda: record_call(
                incident,
                actor=request.user,
                step_id=step_id,
                callee=form.cleaned_data["callee"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                happened_at=form.cleaned_data["happened_at"],
            ),
        ):
            messages.success(request, _("The call is recorded."))
            return redirect(step_url + "#step-contacts")
        status = 400
    else:
        form = forms.CallForm(
            initial={
                "callee": request.GET.get("callee", ""),
                "happened_at": timezone.now(),
            }
        )
        status = 200
    return _form_page(
        request,
        form,
        title=_("Call made at step %(step)s") % {"step": step_id},
        back=step_url,
        status=status,
    )
