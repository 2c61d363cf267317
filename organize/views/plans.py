"""The organizer's page for a round: run the matching, watch it, review, adjust and publish.

Views parse input, call a service and render; every write is a POST that redirects back to the
plan page with a message (the page works without JavaScript; htmx only polls the progress).
"""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from conferences.enums import RoundStatus
from conferences.scoping import organized_conferences, round_for_organizer
from config.exceptions import ServiceError
from matching.models import MatchingRun
from matching.selectors import plans
from matching.selectors import runs as run_selectors
from matching.services import notices, problem, rounds, runs, seating
from organize.forms.runs import RunRequestForm, SeatMoveForm
from organize.permissions import organizer_required


def _plan_url(meetup_round, anchor: str = "") -> str:
    url = reverse("organize:round_plan", args=[meetup_round.pk])
    return f"{url}#{anchor}" if anchor else url


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {error}".lstrip(": ")
        for name, errors in form.errors.items()
        for error in errors
    )


@organizer_required
@require_GET
def round_plan(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    runs.runs_sweep_stale(round=meetup_round)
    plan = plans.plan_for(round=meetup_round)
    move = request.GET.get("move", "")
    context = {
        "nav": "organize",
        "round": meetup_round,
        "plan": plan,
        "actions": _actions(meetup_round, plan),
        "run_form": RunRequestForm(),
        "move_person": int(move) if move.isascii() and move.isdigit() else None,
        "latest": plan.latest_run,
    }
    return render(request, "organize/round_plan.html", context)


def _actions(meetup_round, plan: plans.PlanView) -> dict[str, bool]:
    """Which workflow buttons the page offers in the round's current state."""
    status = meetup_round.status
    published_here = plan.is_published and status == RoundStatus.PUBLISHED
    return {
        "run": status in runs.MATCHABLE_STATUSES
        and not (plan.latest_run and plan.latest_run.is_active),
        "publish": plan.run is not None
        and not plan.is_published
        and status in (RoundStatus.MATCHED, RoundStatus.PUBLISHED),
        "unpublish": status == RoundStatus.PUBLISHED,
        "held": status == RoundStatus.PUBLISHED,
        "cancel": meetup_round.can_become(RoundStatus.CANCELLED),
        "move": plan.run is not None
        and not published_here
        and status not in (RoundStatus.HELD, RoundStatus.CANCELLED),
    }


@organizer_required
@require_GET
def round_plan_status(request, pk: int):
    """The progress of the latest run, polled by htmx while it is queued or running.

    When the run being watched has finished, htmx reloads the page so the new plan shows.
    """
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    runs.runs_sweep_stale(round=meetup_round)
    latest = run_selectors.latest_run(round=meetup_round)
    watching = request.GET.get("watching", "")
    response = render(
        request,
        "organize/_run_status.html",
        {"round": meetup_round, "latest": latest},
    )
    if (
        request.headers.get("HX-Request")
        and watching.isascii()
        and watching.isdigit()
        and (latest is None or latest.pk != int(watching) or not latest.is_active)
    ):
        response["HX-Refresh"] = "true"
    return response


@organizer_required
@require_POST
def round_run(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = RunRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"The matching did not start. {_form_errors(form)}")
        return redirect(_plan_url(meetup_round, "run"))
    try:
        run = runs.run_request(
            round=meetup_round,
            by=request.user,
            seed=form.cleaned_data["seed"],
            time_limit_s=form.cleaned_data["time_limit_s"],
            portfolio=form.cleaned_data["portfolio"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(meetup_round, "run"))
    if run.queue_unreachable:
        messages.warning(request, runs.queue_unreachable_run_message(run=run))
    elif run.newly_requested:
        messages.success(request, f"Matching started (run #{run.pk}, seed {run.seed}).")
    else:
        messages.warning(
            request,
            f"Run #{run.pk} is already working on this round; follow its progress below "
            "or cancel it to start another.",
        )
    return redirect(_plan_url(meetup_round, "run"))


@organizer_required
@require_POST
def run_cancel(request, pk: int):
    run = get_object_or_404(
        MatchingRun.objects.select_related("round"),
        pk=pk,
        round__conference__in=organized_conferences(user=request.user),
    )
    try:
        runs.run_cancel(run=run, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Run #{run.pk} is cancelled; the current plan is unchanged.")
    return redirect(_plan_url(run.round, "run"))


@organizer_required
@require_POST
def round_seat_move(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = SeatMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nobody was moved: choose a person and a table.")
        return redirect(_plan_url(meetup_round, "move"))
    try:
        moved = seating.seat_move(
            by=request.user,
            round_id=meetup_round.pk,
            person_id=form.cleaned_data["person"],
            table_id=form.cleaned_data["table"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(meetup_round, "move"))
    summary = ", ".join(
        f"{metric.label.lower()} {metric.value}"
        for metric in plans.metric_views(moved.metrics)[2:5]
    )
    messages.success(
        request,
        f"{moved.person_name} now sits at table {moved.table_label}. New figures: {summary}.",
    )
    return redirect(_plan_url(meetup_round, f"table-{moved.table_id}"))


def _workflow_view(action):
    """A POST view that runs one round workflow service and says how it went.

    ``action`` returns the message, or ``(level, message)`` when it is not plain success.
    """

    @organizer_required
    @require_POST
    def view(request, pk: int):
        meetup_round = round_for_organizer(user=request.user, pk=pk)
        try:
            outcome = action(meetup_round, request.user)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            level, message = outcome if isinstance(outcome, tuple) else (messages.SUCCESS, outcome)
            messages.add_message(request, level, message)
        return redirect(_plan_url(meetup_round))

    view.__name__ = action.__name__
    return view


def _publish(meetup_round, user) -> str | tuple[int, str]:
    was_published = meetup_round.status == RoundStatus.PUBLISHED
    before = meetup_round.published_run_id
    owed = notices.pending_notice_count(round=meetup_round) if was_published else 0
    published = rounds.round_publish(round=meetup_round, by=user)
    pending = notices.pending_notice_count(round=published)
    if published.queue_unreachable:
        return messages.WARNING, notices.queue_unreachable_notices_message(pending=pending)
    if was_published and published.published_run_id == before:
        if owed:
            return (
                f"This plan was already published; the {owed} e-mails still owed to "
                "attendees are being sent."
            )
        return "This plan was already published; nobody was notified again."
    return (
        f"The plan is published. Attendees are being told their table by e-mail "
        f"({pending} still to send)."
        if pending
        else "The plan is published. Everyone already knows their table."
    )


def _unpublish(meetup_round, user) -> str:
    rounds.round_unpublish(round=meetup_round, by=user)
    return (
        "The plan is back in review. Attendees keep what they were told; when you publish "
        "again, only those whose table changed hear from us."
    )


def _mark_held(meetup_round, user) -> str:
    created = rounds.round_mark_held(round=meetup_round, by=user)
    return (
        f"The round is marked held: {created} new encounter{'s' if created != 1 else ''} recorded."
    )


def _cancel(meetup_round, user) -> str | tuple[int, str]:
    cancelled = rounds.round_cancel(round=meetup_round, by=user)
    if cancelled.queue_unreachable:
        return messages.WARNING, notices.queue_unreachable_notices_message(
            pending=0, cancelled=True
        )
    return "The round is cancelled. Anyone who was told a table hears that it is cancelled."


round_publish = _workflow_view(_publish)
round_unpublish = _workflow_view(_unpublish)
round_held = _workflow_view(_mark_held)
round_cancel = _workflow_view(_cancel)


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 1, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@organizer_required
@require_GET
def round_problem_export(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    return _json_download(
        problem.problem_export(round=meetup_round, viewer=request.user),
        f"round-{meetup_round.pk}-problem.json",
    )


@organizer_required
@require_GET
def round_plan_export(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    try:
        data = plans.solution_export(round=meetup_round)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(meetup_round))
    return _json_download(data, f"round-{meetup_round.pk}-plan.json")
