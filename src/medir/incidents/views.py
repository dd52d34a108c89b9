"""The pages with which each role works its part of a live incident.

Every POST view does the same four things: check the form, ask
``permissions.require``, call one service function, then redirect. When the
form or the service refuses, the page is shown again with the message next
to what was typed, and nothing has changed.
"""

import hashlib
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from medir.incidents import forms, permissions, queries, services
from medir.incidents.models import (
    Incident,
    IncidentState,
    IncidentStep,
    StepState,
)
from medir.incidents.permissions import Action
from medir.incidents.selectors import get_incident_picture
from medir.organisation.selectors import get_preparedness
from medir.playbook.diagram import render_flowchart_svg
from medir.playbook.engine import Status
from medir.playbook.schema import get_playbook

OUT_OF_ORDER = {Status.WAITING, Status.NOT_APPLICABLE}
DECIDING_TIME = {Status.READY, Status.IN_PROGRESS, Status.DONE}


def _attempt(form, call: Callable[[], object]) -> bool:
    """Run the service call if the form is valid; a refusal becomes the
    form's error so that the page can show it beside what was typed."""
    if not form.is_valid():
        return False
    try:
        call()
    except services.IncidentError as error:
        form.add_error(None, str(error))
        return False
    return True


def _incident_url(incident: Incident, anchor: str = "") -> str:
    url = reverse("incidents:detail", args=[incident.number])
    return f"{url}#{anchor}" if anchor else url


def _step_url(incident: Incident, step_id: str) -> str:
    return reverse("incidents:step", args=[incident.number, step_id])


# --- Dashboard ---------------------------------------------------------------


@login_required
def dashboard(request):
    user = request.user
    context = {
        "preparedness": get_preparedness(get_playbook(), request.user),
        "takes_part": permissions.can_see_incidents(user),
    }
    if context["takes_part"]:
        summaries, next_steps = queries.dashboard_for(user)
        context.update(
            summaries=summaries,
            next_steps=next_steps,
            finished=queries.finished_incidents_for(user),
        )
    return render(request, "incidents/dashboard.html", context)


# --- The incident page -------------------------------------------------------


def _flowchart(user, incident: Incident, picture, visible: set[str]) -> str:
    full = permissions.can(user, Action.SEE_DECISIONS, incident)
    statuses = picture.statuses if full else queries.visible_statuses(picture, visible)
    language = get_language() or "ja"

    # The picture depends only on these; during an incident many people
    # reload the same page while nothing changes.
    signature = "|".join(
        [
            picture.playbook.digest,
            language,
            incident.number,
            ",".join(f"{k}={v.status}" for k, v in sorted(statuses.items())),
            ",".join(sorted(visible)),
        ]
    )
    key = "flowchart:" + hashlib.sha256(signature.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = render_flowchart_svg(
            picture.playbook,
            statuses,
            language=language,
            # Boxes of steps a person may not open stay blank and unlinked.
            step_url=lambda step_id: (
                _step_url(incident, step_id) if step_id in visible else None
            ),
        )
        cache.set(key, svg, timeout=24 * 3600)
    return svg


def _timeline_version(incident: Incident) -> str:
    """Changes whenever an event is added to, or moved into, the incident;
    events are never edited in place."""
    summary = incident.events.aggregate(count=Count("id"), last=Max("id"))
    return f"{summary['count']}-{summary['last']}"


class _Forms:
    """The forms a page offers. A form just posted and refused is always
    shown again with its errors, even when the page would no longer offer
    it (someone changed the incident meanwhile); any other form only when
    ``offered`` says the action is open to this person now."""

    def __init__(self, bound: dict | None):
        self.bound = bound or {}

    def get(self, key: str, offered: bool, make: Callable[[], object]):
        if key in self.bound:
            return self.bound[key]
        return make() if offered else None

    def any_of(self, *keys: str) -> bool:
        return any(key in self.bound for key in keys)


def _decision_panels(user, incident: Incident, picture, slots: _Forms, at_step=""):
    """Each decision of the playbook with its history and, for those who
    may decide, a form to record or revise it."""
    playbook = picture.playbook
    may_decide = (
        permissions.can(user, Action.DECIDE, incident)
        and incident.state == IncidentState.OPEN
    )
    history: dict[str, list] = {}
    for row in incident.decisions.select_related("decided_by__person").order_by(
        "decided_at", "id"
    ):
        history.setdefault(row.decision_id, []).append(row)

    panels = []
    for definition in playbook.decisions:
        if at_step and definition.step != at_step:
            continue
        current = picture.decisions.get(definition.id)
        # The confirmation at 1-4 has its own confirm, dismiss and merge.
        offered = (
            may_decide
            and definition.id != "confirmation"
            and (current is None or definition.revisable)
        )
        form = slots.get(
            f"decision-{definition.id}",
            offered,
            lambda definition=definition, current=current: forms.DecisionForm(
                definition=definition,
                current=current,
                auto_id=f"id_decision_{definition.id}_%s",
            ),
        )
        # Only the forms of decisions due now start unfolded; the page
        # would otherwise be a wall of forms.
        reached = picture.statuses[definition.step].status in DECIDING_TIME
        panels.append(
            {
                "definition": definition,
                "current": current,
                "history": history.get(definition.id, []),
                "form": form,
                "due": current is None and (reached or at_step == definition.step),
            }
        )
    return panels


def _incident_page(request, incident: Incident, bound=None, status: int = 200):
    user = request.user
    slots = _Forms(bound)
    picture = get_incident_picture(incident)
    playbook = picture.playbook
    visible = permissions.visible_step_ids(user, incident, playbook)
    full = permissions.can(user, Action.SEE_DECISIONS, incident)
    statuses = picture.statuses if full else queries.visible_statuses(picture, visible)
    active = incident.is_active

    def may(action: Action) -> bool:
        return permissions.can(user, action, incident)

    context = {
        "incident": incident,
        "full_view": full,
        "flowchart_svg": _flowchart(user, incident, picture, visible),
        "steps": [
            {"step": step, "status": statuses[step.id]}
            for step in playbook.steps
            if step.id in statuses
        ],
        "progress": queries.progress_of(statuses),
        # Evaluated only when the cached timeline is missing.
        "events": lambda: queries.timeline_for(user, incident, visible),
        "timeline_version": _timeline_version(incident),
        "playbook": playbook,
    }

    notices = incident.notices.prefetch_related("systems")
    if not full:
        notices = notices.filter(lifted_at=None)
    context["notices"] = [
        {
            "notice": notice,
            "lift_form": slots.get(
                f"lift-{notice.pk}",
                notice.is_active and may(Action.NOTICE),
                lambda notice=notice: forms.LiftNoticeForm(
                    auto_id=f"id_lift_{notice.pk}_%s"
                ),
            ),
        }
        for notice in notices
    ]

    if permissions.can(user, Action.SEE_REPORTERS, incident):
        context["reports"] = incident.reports.select_related("department")
    else:
        context["own_reports"] = queries.own_reports(user, incident)

    if not full:
        return render(
            request, "incidents/incident_restricted.html", context, status=status
        )

    context["decision_panels"] = _decision_panels(user, incident, picture, slots)
    confirming = (
        incident.state == IncidentState.REPORTED and may(Action.CONFIRM)
    ) or slots.any_of("confirm", "dismiss", "merge")
    context["confirm_form"] = slots.get(
        "confirm", confirming, lambda: forms.ConfirmForm(auto_id="id_confirm_%s")
    )
    context["dismiss_form"] = slots.get(
        "dismiss", confirming, lambda: forms.DismissForm(auto_id="id_dismiss_%s")
    )
    context["merge_form"] = slots.get(
        "merge",
        confirming,
        lambda: forms.MergeForm(
            targets=queries.merge_targets(incident), auto_id="id_merge_%s"
        ),
    )
    context["notice_form"] = slots.get(
        "notice",
        active and may(Action.NOTICE),
        lambda: forms.NoticeForm(auto_id="id_notice_%s"),
    )
    if may(Action.SHARE):
        context["shares"] = incident.shares.select_related("organisation")
        context["always_shared"] = queries.steps_outside_parties_always_see(playbook)
        context["share_form"] = slots.get(
            "share", active, lambda: _share_form(playbook, auto_id="id_share_%s")
        )
    context["close_form"] = slots.get(
        "close",
        incident.state == IncidentState.OPEN and may(Action.CLOSE),
        lambda: forms.CloseForm(auto_id="id_close_%s"),
    )
    return render(request, "incidents/incident_detail.html", context, status=status)


def _share_form(playbook, data=None, **kwargs):
    always = {s.id for s in queries.steps_outside_parties_always_see(playbook)}
    return forms.ShareForm(
        data,
        organisations=queries.shareable_organisations(),
        extra_steps=[s for s in playbook.steps if s.id not in always],
        **kwargs,
    )


def _get_incident(number: str) -> Incident:
    return get_object_or_404(Incident, number=number)


@login_required
def incident_detail(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.VIEW, incident)
    return _incident_page(request, incident)


@login_required
def incident_flowchart(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.VIEW, incident)
    picture = get_incident_picture(incident)
    visible = permissions.visible_step_ids(request.user, incident, picture.playbook)
    svg = _flowchart(request.user, incident, picture, visible)
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


# --- Confirm, dismiss, merge, close ------------------------------------------


@login_required
@require_POST
def confirm_incident(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.CONFIRM, incident)
    form = forms.ConfirmForm(request.POST, auto_id="id_confirm_%s")
    if _attempt(
        form,
        lambda: services.confirm_incident(
            incident,
            actor=request.user,
            title=form.cleaned_data["title"],
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The incident is confirmed; the response starts."))
        return redirect(_incident_url(incident))
    return _incident_page(request, incident, {"confirm": form}, status=400)


@login_required
@require_POST
def dismiss_incident(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.CONFIRM, incident)
    form = forms.DismissForm(request.POST, auto_id="id_dismiss_%s")
    if _attempt(
        form,
        lambda: services.dismiss_incident(
            incident,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The report was dismissed as a false alarm."))
        return redirect(_incident_url(incident))
    return _incident_page(request, incident, {"dismiss": form}, status=400)


@login_required
@require_POST
def merge_incident(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.CONFIRM, incident)
    form = forms.MergeForm(
        request.POST,
        targets=queries.merge_targets(incident),
        auto_id="id_merge_%s",
    )
    if _attempt(
        form,
        lambda: services.merge_incident(
            incident,
            into=form.cleaned_data["into"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        into = form.cleaned_data["into"]
        messages.success(
            request,
            _("The report was merged into %(number)s.") % {"number": into.number},
        )
        return redirect(_incident_url(into))
    return _incident_page(request, incident, {"merge": form}, status=400)


@login_required
@require_POST
def close_incident(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.CLOSE, incident)
    form = forms.CloseForm(request.POST, auto_id="id_close_%s")
    if _attempt(
        form,
        lambda: services.close_incident(
            incident,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The incident is closed."))
        return redirect(_incident_url(incident))
    return _incident_page(request, incident, {"close": form}, status=400)


# --- Decisions ---------------------------------------------------------------


@login_required
@require_POST
def record_decision(request, number: str, decision_id: str):
    incident = _get_incident(number)
    playbook = get_playbook()
    definition = playbook.decision_index.get(decision_id)
    if definition is None or decision_id == "confirmation":
        raise Http404("No such decision")
    permissions.require(request.user, Action.DECIDE, incident)
    picture = get_incident_picture(incident, playbook)
    form = forms.DecisionForm(
        request.POST,
        definition=definition,
        current=picture.decisions.get(decision_id),
        auto_id=f"id_decision_{decision_id}_%s",
    )
    from_step = request.POST.get("from_step") == "1"
    if _attempt(
        form,
        lambda: services.record_decision(
            incident,
            decision_id=decision_id,
            outcome=form.outcome(),
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The decision is recorded."))
        if from_step:
            return redirect(_step_url(incident, definition.step))
        return redirect(_incident_url(incident, f"decision-{decision_id}"))
    bound = {f"decision-{decision_id}": form}
    if from_step:
        return _step_page(request, incident, definition.step, bound, status=400)
    return _incident_page(request, incident, bound, status=400)


# --- Stop-use notices and sharing --------------------------------------------


@login_required
@require_POST
def publish_notice(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.NOTICE, incident)
    form = forms.NoticeForm(request.POST, auto_id="id_notice_%s")
    if _attempt(
        form,
        lambda: services.publish_stop_use_notice(
            incident,
            actor=request.user,
            message=form.cleaned_data["message"],
            systems=list(form.cleaned_data["systems"]),
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The stop-use notice is published."))
        return redirect(_incident_url(incident, "notices"))
    return _incident_page(request, incident, {"notice": form}, status=400)


@login_required
@require_POST
def lift_notice(request, number: str, pk: int):
    incident = _get_incident(number)
    permissions.require(request.user, Action.NOTICE, incident)
    notice = get_object_or_404(incident.notices, pk=pk)
    form = forms.LiftNoticeForm(request.POST, auto_id=f"id_lift_{pk}_%s")
    if _attempt(
        form,
        lambda: services.lift_stop_use_notice(
            notice,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The stop-use notice is lifted."))
        return redirect(_incident_url(incident, "notices"))
    return _incident_page(request, incident, {f"lift-{pk}": form}, status=400)


@login_required
@require_POST
def share_incident(request, number: str):
    incident = _get_incident(number)
    permissions.require(request.user, Action.SHARE, incident)
    form = _share_form(get_playbook(), request.POST, auto_id="id_share_%s")
    if _attempt(
        form,
        lambda: services.share_incident(
            incident,
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            extra_steps=form.cleaned_data["extra_steps"],
        ),
    ):
        messages.success(
            request,
            _("The incident is shared with %(organisation)s.")
            % {"organisation": form.cleaned_data["organisation"].name},
        )
        return redirect(_incident_url(incident, "sharing"))
    return _incident_page(request, incident, {"share": form}, status=400)


@login_required
@require_POST
def end_share(request, number: str, pk: int):
    incident = _get_incident(number)
    permissions.require(request.user, Action.SHARE, incident)
    share = get_object_or_404(incident.shares, pk=pk)
    try:
        services.unshare_incident(share, actor=request.user)
    except services.IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Sharing with %(organisation)s has ended.")
            % {"organisation": share.organisation.name},
        )
    return redirect(_incident_url(incident, "sharing"))


# --- Steps -------------------------------------------------------------------


def _get_step_id(step_id: str) -> str:
    if step_id not in get_playbook().step_index:
        raise Http404("No such step")
    return step_id


def _step_page(request, incident, step_id: str, bound=None, status: int = 200):
    user = request.user
    slots = _Forms(bound)
    picture = get_incident_picture(incident)
    step = picture.playbook.step(step_id)
    row = incident.steps.filter(step_id=step_id).first() or IncidentStep(
        incident=incident, step_id=step_id
    )
    step_status = picture.statuses[step_id]
    out_of_order = step_status.status in OUT_OF_ORDER
    finished = row.state in {StepState.DONE, StepState.SKIPPED}
    may_note = permissions.can(user, Action.WORK, incident, step_id=step_id)
    may_work = incident.is_active and may_note

    context = {
        "incident": incident,
        "step": step,
        "row": row,
        "status": step_status,
        "out_of_order": out_of_order and not finished,
        "events": queries.events_of_step(user, incident, step_id),
        "start_form": slots.get(
            "start",
            may_work and row.state == StepState.PENDING,
            lambda: forms.StartStepForm(
                out_of_order=out_of_order, auto_id="id_start_%s"
            ),
        ),
        "complete_form": slots.get(
            "complete",
            may_work and not finished,
            lambda: forms.CompleteStepForm(
                step=step,
                records=row.records,
                out_of_order=out_of_order and row.state == StepState.PENDING,
                initial={"checklist": [k for k, v in row.checklist.items() if v]},
                auto_id="id_complete_%s",
            ),
        ),
        "skip_form": slots.get(
            "skip",
            may_work and not finished,
            lambda: forms.SkipStepForm(auto_id="id_skip_%s"),
        ),
        # Notes stay possible after the incident ends, for what comes up
        # in the review.
        "note_form": slots.get(
            "note", may_note, lambda: forms.NoteForm(auto_id="id_note_%s")
        ),
    }
    if permissions.can(user, Action.SEE_DECISIONS, incident):
        context["decision_panels"] = _decision_panels(
            user, incident, picture, slots, at_step=step_id
        )
    return render(request, "incidents/step_detail.html", context, status=status)


@login_required
def step_detail(request, number: str, step_id: str):
    incident = _get_incident(number)
    step_id = _get_step_id(step_id)
    permissions.require(request.user, Action.VIEW, incident, step_id=step_id)
    return _step_page(request, incident, step_id)


def _step_action(request, number: str, step_id: str):
    incident = _get_incident(number)
    step_id = _get_step_id(step_id)
    permissions.require(request.user, Action.WORK, incident, step_id=step_id)
    picture = get_incident_picture(incident)
    row = incident.steps.filter(step_id=step_id).first()
    pending = row is None or row.state == StepState.PENDING
    out_of_order = pending and picture.statuses[step_id].status in OUT_OF_ORDER
    return incident, picture.playbook.step(step_id), out_of_order


@login_required
@require_POST
def start_step(request, number: str, step_id: str):
    incident, _step, out_of_order = _step_action(request, number, step_id)
    form = forms.StartStepForm(
        request.POST, out_of_order=out_of_order, auto_id="id_start_%s"
    )
    if _attempt(
        form,
        lambda: services.start_step(
            incident,
            step_id=step_id,
            actor=request.user,
            reason=form.reason(),
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("Step %(step)s is started.") % {"step": step_id})
        return redirect(_step_url(incident, step_id))
    return _step_page(request, incident, step_id, {"start": form}, status=400)


@login_required
@require_POST
def complete_step(request, number: str, step_id: str):
    incident, step, out_of_order = _step_action(request, number, step_id)
    form = forms.CompleteStepForm(
        request.POST,
        step=step,
        out_of_order=out_of_order,
        auto_id="id_complete_%s",
    )
    if _attempt(
        form,
        lambda: services.complete_step(
            incident,
            step_id=step_id,
            actor=request.user,
            checklist=form.checklist_keys(),
            records=form.records(),
            note=form.cleaned_data["note"],
            reason=form.reason(),
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("Step %(step)s is done.") % {"step": step_id})
        return redirect(_step_url(incident, step_id))
    return _step_page(request, incident, step_id, {"complete": form}, status=400)


@login_required
@require_POST
def skip_step(request, number: str, step_id: str):
    incident, _step, _out_of_order = _step_action(request, number, step_id)
    form = forms.SkipStepForm(request.POST, auto_id="id_skip_%s")
    if _attempt(
        form,
        lambda: services.skip_step(
            incident,
            step_id=step_id,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("Step %(step)s is skipped.") % {"step": step_id})
        return redirect(_step_url(incident, step_id))
    return _step_page(request, incident, step_id, {"skip": form}, status=400)


@login_required
@require_POST
def add_note(request, number: str, step_id: str):
    incident, _step, _out_of_order = _step_action(request, number, step_id)
    form = forms.NoteForm(request.POST, auto_id="id_note_%s")
    if _attempt(
        form,
        lambda: services.add_note(
            incident,
            step_id=step_id,
            actor=request.user,
            text=form.cleaned_data["text"],
            **form.entry_kwargs(),
        ),
    ):
        messages.success(request, _("The note is added."))
        return redirect(_step_url(incident, step_id))
    return _step_page(request, incident, step_id, {"note": form}, status=400)
