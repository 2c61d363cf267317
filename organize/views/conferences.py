from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendees import imports
from attendees.selectors.rounds import conferences_for_organizer
from conferences.enums import ImportKind
from conferences.models import ImportBatch
from conferences.scoping import conference_for_organizer, round_for_organizer
from config.exceptions import Conflict, NotFound, ServiceError
from organize.exports import check_in_csv, plan_csv, round_plan
from organize.forms.imports import ImportConfirmForm, ImportUploadForm
from organize.insights import conference_insights, series_insights
from organize.insights.charts import (
    came_back_chart,
    composition_chart,
    new_ties_chart,
    round_rates_chart,
)
from organize.permissions import organizer_required

RECENT_IMPORTS = 10


@organizer_required
def organize_index(request):
    conferences = conferences_for_organizer(user=request.user)
    return render(
        request, "organize/organize_index.html", {"conferences": conferences, "nav": "organize"}
    )


# Imports ------------------------------------------------------------------------------------


@require_GET
@organizer_required
def import_template(request, kind):
    response = HttpResponse(imports.template_csv(kind=kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="drinktables-{kind}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@organizer_required
def import_upload(request, slug, kind):
    conference = conference_for_organizer(user=request.user, slug=slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_batch_create(
                conference=conference,
                kind=kind,
                filename=form.cleaned_data["file"].name,
                content=form.content(),
                by=request.user,
            )
        except ServiceError as error:
            form.add_error("file", error.message)
        else:
            return redirect("organize:import_preview", slug=conference.slug, pk=batch.pk)
    recent = ImportBatch.objects.filter(conference=conference, kind=kind).select_related(
        "created_by"
    )[:RECENT_IMPORTS]
    return render(
        request,
        "organize/import_upload.html",
        {
            "conference": conference,
            "kind": kind,
            "kind_label": ImportKind(kind).label,
            "columns": imports.COLUMNS[kind],
            "form": form,
            "recent": recent,
            "nav": "organize",
        },
    )


def _batch(request, slug, pk) -> ImportBatch:
    conference = conference_for_organizer(user=request.user, slug=slug)
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=pk, conference=conference)
    batch.conference = conference
    return batch


def _render_preview(request, preview, *, status=200):
    batch = preview.batch
    return render(
        request,
        "organize/import_preview.html",
        {
            "conference": batch.conference,
            "batch": batch,
            "preview": preview,
            "confirm_form": ImportConfirmForm(initial=preview.counts()),
            "nav": "organize",
        },
        status=status,
    )


@require_GET
@organizer_required
def import_preview(request, slug, pk):
    batch = _batch(request, slug, pk)
    return _render_preview(request, imports.import_batch_preview(batch=batch, by=request.user))


@require_POST
@organizer_required
def import_confirm(request, slug, pk):
    batch = _batch(request, slug, pk)
    form = ImportConfirmForm(request.POST)
    expected = form.cleaned_data if form.is_valid() else None
    if expected is None:
        messages.error(request, "Confirm the import from its preview page.")
        return redirect("organize:import_preview", slug=slug, pk=pk)
    try:
        preview = imports.import_batch_confirm(batch=batch, by=request.user, expected=expected)
    except Conflict as error:
        messages.warning(request, error.message)
        return redirect("organize:import_preview", slug=slug, pk=pk)
    if not preview.applied:
        messages.error(
            request, "Nothing was imported: fix the lines below and upload the file again."
        )
        return _render_preview(request, preview, status=400)
    counts = preview.counts()
    messages.success(
        request,
        f"Imported: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged.",
    )
    return redirect("organize:import_preview", slug=slug, pk=pk)


# Exports ------------------------------------------------------------------------------------


def _plan_or_404(request, pk):
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    plan = round_plan(round=meetup_round)
    if plan is None:
        raise NotFound("This round has no plan yet: run the matching first.")
    return plan


def _csv_response(content: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_name(plan, what: str) -> str:
    """``necc-2026-opening-night-plan-run-12-published.csv``: the file says which plan it is."""
    which = f"run-{plan.run.pk}-{plan.plan.kind.replace('_', '-')}"
    return (
        f"{plan.round.conference.slug}-{slugify(plan.round.name) or plan.round.pk}-{what}-"
        f"{which}.csv"
    )


@require_GET
@organizer_required
def round_plan_csv(request, pk):
    plan = _plan_or_404(request, pk)
    return _csv_response(plan_csv(plan=plan), filename=_export_name(plan, "plan"))


@require_GET
@organizer_required
def round_check_in_csv(request, pk):
    plan = _plan_or_404(request, pk)
    return _csv_response(check_in_csv(plan=plan), filename=_export_name(plan, "check-in"))


def _render_plan(request, pk, template: str):
    """A printable view of one of the organizer's rounds and its plan."""
    meetup_round = round_for_organizer(user=request.user, pk=pk)
    context = {"round": meetup_round, "plan": round_plan(round=meetup_round), "nav": "organize"}
    return render(request, template, context)


@require_GET
@organizer_required
def round_cards(request, pk):
    return _render_plan(request, pk, "organize/table_cards.html")


@require_GET
@organizer_required
def round_check_in(request, pk):
    return _render_plan(request, pk, "organize/check_in.html")


# Insights -----------------------------------------------------------------------------------


@require_GET
@organizer_required
def insights(request, slug):
    conference = conference_for_organizer(user=request.user, slug=slug)
    figures = conference_insights(conference=conference)
    editions = series_insights(conference=conference, user=request.user)
    return render(
        request,
        "organize/insights.html",
        {
            "conference": conference,
            "insights": figures,
            "rates_chart": round_rates_chart(figures) if figures.rounds else None,
            "compositions": [(r, composition_chart(r)) for r in figures.rounds],
            "editions": editions,
            "came_back_chart": came_back_chart(editions) if len(editions) > 1 else None,
            "new_ties_chart": new_ties_chart(editions) if editions else None,
            "nav": "organize",
        },
    )
