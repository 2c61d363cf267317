"""The door (check-in and walk-ins on a phone) and the plan page's changes after publishing:
the waiting list, automatic seating, table alerts. Views parse, call a service, render."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from conferences.scoping import round_for_organizer
from config.exceptions import ServiceError
from matching.selectors import live as live_selectors
from matching.services import live
from organize.forms.live import (
    AlertMoveForm,
    AutoSeatForm,
    CheckInForm,
    DoorSearchForm,
    WaitingPlaceForm,
    WalkInForm,
)
from organize.permissions import organizer_required


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _door_url(round_id: int, query: str = "") -> str:
    url = reverse("organize:door", args=[round_id])
    return f"{url}?q={query}" if query else url


def _small_after(meetup_round, form) -> dt.datetime | None:
    chosen = form.cleaned_data.get("small_after") if form.is_valid() else None
    if chosen is None:
        return None
    zone = meetup_round.conference.tzinfo
    day = timezone.localtime(meetup_round.starts_at, zone).date()
    return dt.datetime.combine(day, chosen, tzinfo=zone)


@organizer_required
@require_GET
def door(request, pk: int):
    """The door page; with ``part=search`` or ``part=counts`` only that part (htmx)."""
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = DoorSearchForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    part = form.cleaned_data.get("part", "") if form.is_valid() else ""
    small_after = _small_after(meetup_round, form)
    context = {
        "nav": "organize",
        "round": meetup_round,
        "query": query,
        "small_after_value": request.GET.get("small_after", "")[:5],
        "results": live_selectors.door_search(round=meetup_round, query=query),
        "counts": live_selectors.door_counts(round=meetup_round, small_after=small_after),
        "walk_in_form": WalkInForm(),
    }
    if part == "search":
        return render(request, "organize/_door_results.html", context)
    if part == "counts":
        return render(request, "organize/_door_counts.html", context)
    return render(request, "organize/door.html", context)


@organizer_required
@require_POST
def door_check_in(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = CheckInForm(request.POST)
    query = request.POST.get("q", "")[:100]
    if not form.is_valid():
        messages.error(request, "Nobody was checked in: choose a person.")
        return redirect(_door_url(pk, query))
    error, text = "", ""
    try:
        done = live.check_in_set(
            by=request.user,
            round_id=meetup_round.pk,
            person_id=form.cleaned_data["person"],
            checked_in=form.cleaned_data["checked_in"],
        )
    except ServiceError as failure:
        error = failure.message
    else:
        where = f" Table {done.table_label}." if done.table_label else " No table yet."
        text = (
            f"{done.person_name} is checked in.{where}"
            if done.checked_in
            else f"{done.person_name} is no longer checked in."
        )
    if _is_htmx(request):
        context = {
            "round": meetup_round,
            "query": query,
            "results": live_selectors.door_search(round=meetup_round, query=query),
            "done": text,
            "error": error,
        }
        return render(request, "organize/_door_results.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, text)
    return redirect(_door_url(pk, query))


@organizer_required
@require_POST
def door_walk_in(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_door_url(pk))
    try:
        placed = live.walk_in(
            by=request.user,
            round_id=meetup_round.pk,
            person_id=form.cleaned_data.get("person"),
            email=form.cleaned_data.get("email", ""),
            full_name=form.cleaned_data.get("full_name", ""),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(_door_url(pk))
    messages.success(
        request,
        f"{placed.person_name} is seated at table {placed.table_label}"
        + (f" ({placed.table_location})" if placed.table_location else "")
        + " and checked in; they get an e-mail with their table.",
    )
    return redirect(_door_url(pk))


def _plan_changes_url(round_id: int) -> str:
    return reverse("organize:round_plan", args=[round_id]) + "#changes"


@organizer_required
@require_POST
def waiting_place(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = WaitingPlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nobody was seated: choose a person from the waiting list.")
        return redirect(_plan_changes_url(pk))
    try:
        placed = live.waiting_place(
            by=request.user,
            round_id=meetup_round.pk,
            person_id=form.cleaned_data["person"],
            table_id=form.cleaned_data.get("table"),
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, placed.message)
    return redirect(_plan_changes_url(pk))


@organizer_required
@require_POST
def round_auto_seat(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = AutoSeatForm(request.POST)
    on = form.is_valid() and form.cleaned_data["on"]
    seated = live.round_auto_seat_set(by=request.user, round_id=meetup_round.pk, on=on)
    if on:
        messages.success(
            request,
            "Late RSVPs are seated automatically at the best table with room."
            + (f" {seated} from the waiting list now have a table." if seated else ""),
        )
    else:
        messages.success(request, "Late RSVPs now go to the waiting list; you choose their tables.")
    return redirect(_plan_changes_url(pk))


@organizer_required
@require_POST
def alert_move(request, pk: int):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    form = AlertMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nobody was moved: choose an alert.")
        return redirect(_plan_changes_url(pk))
    try:
        moved = live.alert_move(
            by=request.user, round_id=meetup_round.pk, alert_id=form.cleaned_data["alert"]
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, moved.message)
    return redirect(_plan_changes_url(pk))
