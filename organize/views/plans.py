"""The organizer's page for a round: run the matching, watch it, review, adjust and publish.

Views parse input, call a service and render; every write is a POST that redirects back to the
plan page with a message (the page works without JavaScript; htmx only polls the progress).
A move that e-mails attendees or cannot be undone (publish, cancel, mark held) first opens its
confirmation page (a GET of the move's address), which says how many people will be e-mailed.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conferences.enums import RoundStatus
from conferences.scoping import round_for_organizer
from config.exceptions import ServiceError
from matching.enums import RoundAction
from matching.selectors import live as live_selectors
from matching.selectors import plans
from matching.selectors import runs as run_selectors
from matching.services import lifecycle, live, problem, runs, seating
from organize.forms.runs import RunRequestForm, SeatMoveForm
from organize.permissions import organizer_required

# The page's URL for each status a round can be moved to (each a ``_transition_view``).
TRANSITION_URLS = {
    RoundStatus.OPEN: "round_open",
    RoundStatus.DRAFT: "round_draft",
    RoundStatus.PUBLISHED: "round_publish",
    RoundStatus.MATCHED: "round_unpublish",
    RoundStatus.HELD: "round_held",
    RoundStatus.CANCELLED: "round_cancel",
}


def _plan_url(
    round_id: int, anchor: str = "", *, review: bool = False, at: int | None = None
) -> str:
    """The plan page; ``at`` a table: the page of tables that holds it, with it open."""
    url = reverse("organize:round_plan", args=[round_id])
    query = urlencode(({"review": "1"} if review else {}) | ({"at": at} if at else {}))
    if query:
        url += f"?{query}"
    return f"{url}#{anchor}" if anchor else url


# A big plan is shown a page of tables at a time, collapsed: a 2,000-person round is 250 tables,
# which open all at once made a 49,000-pixel page on a phone.
TABLES_PER_PAGE = 24
COLLAPSE_FROM_TABLES = 12
QUERY_MAX_LENGTH = 100


def _digits(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


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
    runs.runs_sweep_stale(round_id=meetup_round.pk)
    review = request.GET.get("review") == "1"
    plan = plans.plan_for(round=meetup_round, review=review)
    move_person = _digits(request.GET.get("move", ""))
    search = plans.plan_search(
        plan=plan,
        query=request.GET.get("q", "")[:QUERY_MAX_LENGTH],
        warnings_only=request.GET.get("warnings") == "1",
    )
    paginator = Paginator(search.tables, TABLES_PER_PAGE, allow_empty_first_page=True)
    at = _digits(request.GET.get("at", ""))
    position = next(
        (index for index, view in enumerate(search.tables) if view.table.pk == at), None
    )
    page = paginator.get_page(
        position // TABLES_PER_PAGE + 1 if position is not None else request.GET.get("page")
    )
    keep = {
        name: value
        for name, value in (
            ("review", "1" if review else ""),
            ("q", search.query),
            ("warnings", "1" if search.warnings_only else ""),
        )
        if value
    }
    offers = lifecycle.allowed_actions(
        round=meetup_round,
        user=request.user,
        plan=plan.plan,
        pending_notices=None if plan.is_published else plan.pending_notices,
    )
    # Publishing is offered beside the plan it would publish, never beside the published one.
    offers = [
        offer
        for offer in offers
        if offer.action != RoundAction.PUBLISH or (plan.run is not None and not plan.is_published)
    ]
    context = {
        "nav": "organize",
        "round": meetup_round,
        "plan": plan,
        "plan_description": plan.plan.describe(tz=meetup_round.conference.tzinfo)
        if plan.plan
        else "",
        "offers": [
            (offer, reverse(f"organize:{TRANSITION_URLS[offer.to]}", args=[pk])) for offer in offers
        ],
        "can_run": lifecycle.can_match(meetup_round)
        and not (plan.latest_run and plan.latest_run.is_active),
        "can_move": plan.run is not None
        and not (plan.is_published and meetup_round.status == RoundStatus.PUBLISHED)
        and meetup_round.status not in (RoundStatus.HELD, RoundStatus.CANCELLED),
        "review": review,
        "run_form": RunRequestForm(),
        "search": search,
        "page": page,
        "page_query": urlencode(keep),
        "collapsed": len(plan.tables) > COLLAPSE_FROM_TABLES and not search.query,
        "opened_table": at,
        "move_person": _move_person(plan, move_person),
        "move_targets": plans.move_targets(
            plan=plan, query=request.GET.get("tq", "")[:QUERY_MAX_LENGTH]
        )
        if plan.run is not None
        else [],
        "move_query": request.GET.get("tq", "")[:QUERY_MAX_LENGTH],
        "latest": plan.latest_run,
        "changes": live_selectors.plan_changes(round=meetup_round),
        "alerts": live.alerts_open(round=meetup_round),
    }
    return render(request, "organize/round_plan.html", context)


def _move_person(plan: plans.PlanView, person_id: int | None) -> tuple[int, str, str] | None:
    """(id, name, where they sit now) of the person the move dialog was opened for."""
    if person_id is None:
        return None
    for view in plan.tables:  # names only: a table's reasons are worked out when shown
        if person_id in view.names:
            return person_id, view.names[person_id], f"table {view.table.label}"
    for person in plan.unseated:
        if person.pk == person_id:
            return person.pk, person.display_name, "no seat"
    return None


@organizer_required
@require_GET
def round_plan_status(request, pk: int):
    """The progress of the latest run, polled by htmx while it is queued or running.

    When the run being watched has finished, htmx reloads the page so the new plan shows.
    """
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    runs.runs_sweep_stale(round_id=meetup_round.pk)
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
    form = RunRequestForm(request.POST)
    if not form.is_valid():
        round_for_organizer(user=request.user, pk=pk)  # a stranger's round stays a 404
        messages.error(request, f"The matching did not start. {_form_errors(form)}")
        return redirect(_plan_url(pk, "run"))
    try:
        requested = runs.run_request(
            round_id=pk,
            by=request.user,
            seed=form.cleaned_data["seed"],
            time_limit_s=form.cleaned_data["time_limit_s"],
            portfolio=form.cleaned_data["portfolio"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(pk, "run"))
    run = requested.run
    if requested.warning:
        messages.warning(request, requested.warning)
    elif requested.newly_requested:
        messages.success(request, f"Matching started (run #{run.pk}, seed {run.seed}).")
    else:
        messages.warning(
            request,
            f"Run #{run.pk} is already working on this round; follow its progress below "
            "or cancel it to start another.",
        )
    # With a published plan, the new one is reviewed beside it (?review=1).
    return redirect(_plan_url(pk, "run", review=run.round.published_run_id is not None))


@organizer_required
@require_POST
def run_cancel(request, pk: int):
    run = run_selectors.run_for_organizer(user=request.user, pk=pk)
    try:
        runs.run_cancel(run_id=pk, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Run #{run.pk} is cancelled; the current plan is unchanged.")
    return redirect(_plan_url(run.round_id, "run"))


@organizer_required
@require_POST
def round_seat_move(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    review = meetup_round.published_run_id is not None
    form = SeatMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nobody was moved: choose a person and a table.")
        return redirect(_plan_url(pk, "move", review=review))
    try:
        moved = seating.seat_move(
            by=request.user,
            round_id=meetup_round.pk,
            person_id=form.cleaned_data["person"],
            table_id=form.cleaned_data["table"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(pk, "move", review=review))
    summary = ", ".join(
        f"{metric.label.lower()} {metric.value}"
        for metric in plans.metric_views(moved.metrics)[2:5]
    )
    messages.success(
        request,
        f"{moved.person_name} now sits at table {moved.table_label}. New figures: {summary}.",
    )
    return redirect(_plan_url(pk, f"table-{moved.table_id}", review=review, at=moved.table_id))


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def transition_message(done: lifecycle.RoundTransition) -> tuple[int, str]:
    """What the organizer is told after a move, as (message level, text)."""
    if done.warning:
        return messages.WARNING, done.warning
    emailed = done.emails_queued
    if done.action == RoundAction.PUBLISH:
        if not done.changed:
            if emailed:
                return messages.SUCCESS, (
                    f"This plan was already published; {_people(emailed)} still owed their "
                    "table will be e-mailed it."
                )
            return messages.SUCCESS, "This plan was already published; nobody was notified again."
        if emailed:
            return messages.SUCCESS, f"Published; {_people(emailed)} will be e-mailed their table."
        return (
            messages.SUCCESS,
            "Published. Everyone already knows their table; nobody is e-mailed.",
        )
    if done.action == RoundAction.UNPUBLISH:
        return messages.SUCCESS, (
            "The plan is back in review. Attendees keep what they were told; when you publish "
            "again, only those whose table changed hear from us."
        )
    if done.action == RoundAction.HELD:
        created = done.encounters_created
        asked = (
            f" {done.emails_queued} attendee{'s are' if done.emails_queued != 1 else ' is'} "
            "being asked by e-mail who they met."
            if done.emails_queued
            else ""
        )
        return messages.SUCCESS, (
            f"The round is marked held: {created} new encounter{'s' if created != 1 else ''} "
            f"recorded.{asked}"
        )
    if done.action == RoundAction.CANCEL:
        if emailed:
            return messages.SUCCESS, (
                f"Cancelled; {_people(emailed)} who were told a table will be e-mailed that the "
                "round is cancelled."
            )
        return messages.SUCCESS, "Cancelled. Nobody had been told a table; nobody is e-mailed."
    if done.action == RoundAction.RESTORE:
        return messages.SUCCESS, "The round is a draft again; open it for RSVPs when it is ready."
    if done.action == RoundAction.DRAFT:
        return messages.SUCCESS, "The round is back to draft; attendees no longer see it."
    return messages.SUCCESS, "The round is open for RSVPs."


def _run_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _transition_view(to: str):
    """The move of a round to ``to``: a GET asks to confirm it (saying whom it e-mails), the
    POST moves the round through the lifecycle and says how it went.

    ``run`` (publish) names the run the organizer reviewed, so what is published is what they
    saw; without it the latest succeeded run is published.
    """

    @organizer_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        if request.method == "GET":
            return _confirm_page(request, pk, to)
        options = {}
        run_id = _run_id(request.POST.get("run", ""))
        if to == RoundStatus.PUBLISHED and run_id is not None:
            options["run_id"] = run_id
        try:
            done = lifecycle.round_transition(round_id=pk, to=to, by=request.user, **options)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.add_message(request, *transition_message(done))
        return redirect(_plan_url(pk))

    view.__name__ = f"round_to_{to}"
    return view


def _confirm_page(request, pk: int, to: str):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    offer = next(
        (o for o in lifecycle.allowed_actions(round=meetup_round, user=request.user) if o.to == to),
        None,
    )
    if offer is None:
        messages.error(
            request,
            f"This cannot be done now: the round is {meetup_round.get_status_display().lower()}.",
        )
        return redirect(_plan_url(pk))
    run_id = _run_id(request.GET.get("run", ""))
    context = {
        "nav": "organize",
        "round": meetup_round,
        "offer": offer,
        "run_id": run_id if to == RoundStatus.PUBLISHED else None,
        "action_url": reverse(f"organize:{TRANSITION_URLS[to]}", args=[pk]),
        "back_url": _plan_url(pk),
    }
    return render(request, "organize/round_confirm.html", context)


round_open = _transition_view(RoundStatus.OPEN)
round_draft = _transition_view(RoundStatus.DRAFT)
round_publish = _transition_view(RoundStatus.PUBLISHED)
round_unpublish = _transition_view(RoundStatus.MATCHED)
round_held = _transition_view(RoundStatus.HELD)
round_cancel = _transition_view(RoundStatus.CANCELLED)


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
        exported = plans.solution_export(round=meetup_round)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_plan_url(pk))
    chosen = exported.plan
    name = f"round-{meetup_round.pk}-plan-run-{chosen.run.pk}-{chosen.kind.replace('_', '-')}"
    return _json_download(exported.data, f"{name}.json")
