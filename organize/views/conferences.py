from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendees import imports
from attendees.selectors.rounds import conferences_for_organizer
from conferences.enums import ImportKind
from conferences.models import ImportBatch
from conferences.scoping import (
    conference_for_organizer,
    import_batch_for_organizer,
    round_for_organizer,
)
from config.exceptions import Conflict, NotFound, ServiceError
from matching.services import whatif
from organize.exports import check_in_csv, plan_csv, round_plan
from organize.forms.imports import (
    ImportConfirmForm,
    ImportMappingForm,
    ImportPresetApplyForm,
    ImportPresetForm,
    ImportUploadForm,
    RegistrationUploadForm,
)
from organize.insights import conference_insights, series_insights
from organize.insights.charts import (
    came_back_chart,
    composition_chart,
    new_ties_chart,
    round_rates_chart,
)
from organize.insights.outcomes import newcomer_outcomes
from organize.insights.whatif import whatif_view
from organize.permissions import organizer_required

RECENT_IMPORTS = 10


@organizer_required
def organize_index(request):
    conferences = conferences_for_organizer(user=request.user)
    return render(
        request, "organize/organize_index.html", {"conferences": conferences, "nav": "organize"}
    )


# Imports ------------------------------------------------------------------------------------
# Registration files go through a column mapping (attendees.imports): the preview shows it as
# a form; with htmx each change comes back as the refreshed "import workspace" (mapping,
# counts, problems, confirmation), and without JavaScript the same forms post and redirect.


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


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
    presets = []
    if kind == ImportKind.REGISTRATIONS:
        presets = imports.import_presets(by=request.user, conference_id=conference.pk)
        form = RegistrationUploadForm(request.POST or None, request.FILES or None, presets=presets)
    else:
        form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_batch_create(
                by=request.user,
                conference_id=conference.pk,
                kind=kind,
                filename=form.cleaned_data["file"].name,
                content=form.content(),
                preset_id=form.cleaned_data.get("preset"),
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
            "presets": presets,
            "recent": recent,
            "nav": "organize",
        },
    )


def _workspace_context(request, preview, *, conference, notice="", notice_error=False, forms=None):
    mapping = preview.mapping if not preview.applied else None
    context = {
        "conference": conference,
        "batch": preview.batch,
        "preview": preview,
        "confirm_form": ImportConfirmForm(
            initial={**preview.counts(), "mapping": preview.mapping_token}
        ),
        "notice": notice,
        "notice_error": notice_error,
        "nav": "organize",
    }
    if mapping is not None:
        context.update(
            mapping_form=ImportMappingForm(mapping=mapping),
            preset_form=ImportPresetForm(initial={"name": mapping.preset}),
            apply_form=ImportPresetApplyForm(presets=mapping.presets) if mapping.presets else None,
        )
    context.update(forms or {})
    return context


def _render_preview(
    request, preview, *, conference, status=200, notice="", notice_error=False, forms=None
):
    """The preview page, or for htmx only its workspace, which the forms on it replace."""
    template = (
        "organize/_import_workspace.html" if _is_htmx(request) else "organize/import_preview.html"
    )
    context = _workspace_context(
        request,
        preview,
        conference=conference,
        notice=notice,
        notice_error=notice_error,
        forms=forms,
    )
    return render(request, template, context, status=status)


def _after_change(request, *, conference, pk, preview=None, notice="", status=200, forms=None):
    """After a change of the mapping: the refreshed workspace for htmx; else a message and
    back to the preview page (a refusal is shown on the page itself)."""
    if _is_htmx(request) or status != 200:
        if preview is None:
            preview = imports.import_batch_preview(
                by=request.user, batch_id=pk, conference_id=conference.pk
            )
        return _render_preview(
            request, preview, conference=conference, status=status, notice=notice, forms=forms
        )
    if notice:
        messages.success(request, notice)
    return redirect("organize:import_preview", slug=conference.slug, pk=pk)


@require_GET
@organizer_required
def import_preview(request, slug, pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    preview = imports.import_batch_preview(
        by=request.user, batch_id=pk, conference_id=conference.pk
    )
    return _render_preview(request, preview, conference=conference)


def _refused(request, error: ServiceError, *, conference, pk):
    status = 409 if isinstance(error, Conflict) else 400
    if not _is_htmx(request):
        messages.error(request, error.message)
        return redirect("organize:import_preview", slug=conference.slug, pk=pk)
    preview = imports.import_batch_preview(
        by=request.user, batch_id=pk, conference_id=conference.pk
    )
    return _render_preview(
        request,
        preview,
        conference=conference,
        status=status,
        notice=error.message,
        notice_error=True,
    )


@require_POST
@organizer_required
def import_mapping(request, slug, pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    try:
        current = imports.import_batch_mapping(
            by=request.user, batch_id=pk, conference_id=conference.pk
        )
        form = ImportMappingForm(request.POST, mapping=current)
        if not form.is_valid():
            raise ServiceError("Choose a field for each column and a role for each ticket type.")
        preview = imports.import_batch_map(
            by=request.user,
            batch_id=pk,
            fields=form.chosen_fields(),
            roles=form.chosen_roles(),
            conference_id=conference.pk,
        )
    except ServiceError as error:
        return _refused(request, error, conference=conference, pk=pk)
    return _after_change(
        request, conference=conference, pk=pk, preview=preview, notice="Column mapping applied."
    )


@require_POST
@organizer_required
def import_preset_save(request, slug, pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    form = ImportPresetForm(request.POST)
    if not form.is_valid():
        return _after_change(
            request, conference=conference, pk=pk, status=400, forms={"preset_form": form}
        )
    try:
        saved = imports.import_preset_save(
            by=request.user,
            batch_id=pk,
            name=form.cleaned_data["name"],
            conference_id=conference.pk,
        )
    except ServiceError as error:
        if error.field == "name":
            form.add_error("name", error.message)
            return _after_change(
                request, conference=conference, pk=pk, status=400, forms={"preset_form": form}
            )
        return _refused(request, error, conference=conference, pk=pk)
    notice = (
        f"Saved the mapping “{saved.name}”: the next file with these columns is read with it."
        if saved.created
        else f"Updated the saved mapping “{saved.name}”."
    )
    return _after_change(request, conference=conference, pk=pk, notice=notice)


@require_POST
@organizer_required
def import_preset_apply(request, slug, pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    try:
        current = imports.import_batch_mapping(
            by=request.user, batch_id=pk, conference_id=conference.pk
        )
        form = ImportPresetApplyForm(request.POST, presets=current.presets)
        if not form.is_valid():
            raise ServiceError("Choose one of the saved mappings of this conference.")
        preview = imports.import_preset_apply(
            by=request.user,
            batch_id=pk,
            preset_id=form.cleaned_data["preset"],
            conference_id=conference.pk,
        )
    except ServiceError as error:
        return _refused(request, error, conference=conference, pk=pk)
    notice = f"The file is read with the saved mapping “{preview.mapping.preset}”."
    return _after_change(request, conference=conference, pk=pk, preview=preview, notice=notice)


@require_POST
@organizer_required
def import_preset_delete(request, slug, preset_pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    deleted = imports.import_preset_delete(
        by=request.user, preset_id=preset_pk, conference_id=conference.pk
    )
    messages.success(
        request, f"Deleted the saved mapping “{deleted.name}”. Files read with it keep it."
    )
    return redirect("organize:import_registrations", slug=conference.slug)


@require_POST
@organizer_required
def import_confirm(request, slug, pk):
    conference = conference_for_organizer(user=request.user, slug=slug)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        import_batch_for_organizer(user=request.user, pk=pk, conference_id=conference.pk)
        messages.error(request, "Confirm the import from its preview page.")
        return redirect("organize:import_preview", slug=slug, pk=pk)
    try:
        preview = imports.import_batch_confirm(
            by=request.user,
            batch_id=pk,
            expected=form.counts(),
            mapping_token=form.cleaned_data["mapping"] or None,
            conference_id=conference.pk,
        )
    except Conflict as error:
        messages.warning(request, error.message)
        return redirect("organize:import_preview", slug=slug, pk=pk)
    if not preview.applied:
        messages.error(
            request, "Nothing was imported: fix the lines below and upload the file again."
        )
        return render(
            request,
            "organize/import_preview.html",
            _workspace_context(request, preview, conference=conference),
            status=400,
        )
    counts = preview.counts()
    skipped = f", {preview.skipped} not imported" if preview.skipped else ""
    messages.success(
        request,
        f"Imported: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged{skipped}.",
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
    simulation = whatif.whatif_latest(conference_id=conference.pk, by=request.user)
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
            "outcomes": newcomer_outcomes(conference=conference, user=request.user),
            "simulation": simulation,
            "whatif": whatif_view(simulation),
            "friend_threshold": settings.MATCHING_FRIEND_THRESHOLD,
            "nav": "organize",
        },
    )


@require_POST
@organizer_required
def insights_whatif(request, slug):
    """Start the what-if (one at a time per conference); back to the insights page."""
    conference = conference_for_organizer(user=request.user, slug=slug)
    try:
        requested = whatif.whatif_request(conference_id=conference.pk, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if requested.warning:
            messages.warning(request, requested.warning)
        elif requested.newly_requested:
            messages.success(request, "The what-if has started; this page shows its progress.")
        else:
            messages.info(request, "A what-if is already working for this conference.")
    return redirect(reverse("organize:insights", args=[conference.slug]) + "#whatif-heading")


@require_GET
@organizer_required
def insights_whatif_status(request, slug):
    """The latest what-if's progress, polled by htmx while it is queued or running; once it
    has finished, htmx reloads the page so its figures show."""
    conference = conference_for_organizer(user=request.user, slug=slug)
    simulation = whatif.whatif_latest(conference_id=conference.pk, by=request.user)
    response = render(
        request,
        "organize/_whatif_status.html",
        {"conference": conference, "simulation": simulation},
    )
    if request.headers.get("HX-Request") and (simulation is None or not simulation.is_active):
        response["HX-Refresh"] = "true"
    return response
