from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from attendees import imports
from conferences.enums import ImportKind, RoundStatus
from conferences.models import Conference, DrinkTable, ImportBatch, MeetupRound, Series, Topic
from conferences.scoping import import_batch_for_organizer, is_organizer
from conferences.services import (
    CONFERENCE_CREATE_FIELDS,
    CONFERENCE_FIELDS,
    CONFERENCE_SUPERUSER_FIELDS,
    ROUND_FIELDS,
    TABLE_FIELDS,
    conference_create,
    conference_delete,
    conference_update,
    round_create,
    round_delete,
    series_save,
    table_create,
    table_delete,
    topic_save,
    vocabulary_delete,
)
from conferences.times import local_time_range
from config.exceptions import Conflict, ServiceError
from matching.services.lifecycle import allowed_actions, round_transition
from matching.services.rounds import round_update_with_status, table_update_with_notices
from matching.services.runs import run_request
from organize.admin.base import (
    ConferenceDaysAdmin,
    OrganizerScopedAdmin,
    ServiceInline,
    form_data,
)
from organize.forms.imports import AdminImportForm, ImportConfirmForm
from organize.forms.rounds import RoundTimesForm


class ReadableByOrganizersAdmin(OrganizerScopedAdmin):
    """Shared vocabulary (series, topics): organizers may read and add, superusers change."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def _organizer(self, request) -> bool:
        return request.user.is_staff and is_organizer(user=request.user)

    def has_module_permission(self, request):
        return request.user.is_superuser or self._organizer(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._organizer(request)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser or self._organizer(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # editions and people refer to them

    def service_delete(self, request, obj):
        vocabulary_delete(by=request.user, model=type(obj), pk=obj.pk)


@admin.register(Series)
class SeriesAdmin(ReadableByOrganizersAdmin):
    list_display = ["name", "slug", "edition_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def service_save(self, request, form, *, change, parent=None):
        data = form_data(form, change=change, allowed={"name", "slug", "description"})
        pk = form.instance.pk if change else None
        return series_save(by=request.user, series_id=pk, data=data).id

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(edition_count=Count("conferences"))

    @admin.display(description="editions", ordering="edition_count")
    def edition_count(self, series):
        return series.edition_count


@admin.register(Topic)
class TopicAdmin(ReadableByOrganizersAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def service_save(self, request, form, *, change, parent=None):
        data = form_data(form, change=change, allowed={"name", "slug"})
        pk = form.instance.pk if change else None
        return topic_save(by=request.user, topic_id=pk, data=data).id


def _say_who_is_told(request, changed) -> None:
    """Tell the organizer who hears of a change, once it is saved (a dry run of the form's
    validation is rolled back, and its on-commit message with it)."""
    if changed.emails_queued:
        count = changed.emails_queued
        text = (
            f"{count} {'person' if count == 1 else 'people'} will be e-mailed the new time or "
            "place, with an updated calendar entry."
        )
        transaction.on_commit(lambda: messages.info(request, text))


def _save_table(request, form, *, change, conference_id=None) -> int:
    data = form_data(form, change=change, allowed=TABLE_FIELDS)
    if change:
        changed = table_update_with_notices(by=request.user, table_id=form.instance.pk, data=data)
        _say_who_is_told(request, changed)
        return changed.id
    return table_create(by=request.user, conference_id=conference_id, data=data).id


def _save_round(request, form, *, change, conference_id=None) -> int:
    data = form_data(form, change=change, allowed=ROUND_FIELDS)
    if change:
        changed = round_update_with_status(by=request.user, round_id=form.instance.pk, data=data)
        _say_who_is_told(request, changed)
        return changed.id
    return round_create(by=request.user, conference_id=conference_id, data=data).id


class DrinkTableInline(ServiceInline, admin.TabularInline):
    model = DrinkTable
    parent_field = "conference"
    fields = ["label", "location", "capacity", "accessible", "active", "host"]
    autocomplete_fields = ["host"]
    extra = 0

    def service_save(self, request, form, *, change, parent=None):
        return _save_table(request, form, change=change, conference_id=parent.pk)

    def service_delete(self, request, obj):
        table_delete(by=request.user, table_id=obj.pk)


class MeetupRoundInline(ServiceInline, admin.TabularInline):
    model = MeetupRound
    form = RoundTimesForm
    parent_field = "conference"
    fields = ["name", "starts_at", "ends_at", "location", "status"]
    readonly_fields = ["status"]
    show_change_link = True
    extra = 0

    def service_save(self, request, form, *, change, parent=None):
        return _save_round(request, form, change=change, conference_id=parent.pk)

    def service_delete(self, request, obj):
        round_delete(by=request.user, round_id=obj.pk)


@admin.register(Conference)
class ConferenceAdmin(OrganizerScopedAdmin):
    conference_path = "pk"
    list_display = ["name", "series", "city", "starts_on", "ends_on", "attendee_count"]
    list_filter = ["series"]
    search_fields = ["name", "slug", "city"]
    date_hierarchy = "starts_on"
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organizers"]
    inlines = [DrinkTableInline, MeetupRoundInline]
    list_select_related = ["series"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_count=Count("attendances"))

    @admin.display(description="attendees", ordering="attendee_count")
    def attendee_count(self, conference):
        return conference.attendee_count

    def get_readonly_fields(self, request, obj=None):
        # Only superusers hand out organizer rights or move an edition (its slug, its series).
        if request.user.is_superuser:
            return []
        return ["organizers"] if obj is None else ["organizers", "series", "slug"]

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None and not request.user.is_superuser else {"slug": ["name"]}

    def service_save(self, request, form, *, change, parent=None):
        if change:
            data = form_data(
                form, change=True, allowed=CONFERENCE_FIELDS | CONFERENCE_SUPERUSER_FIELDS
            )
            return conference_update(by=request.user, conference_id=form.instance.pk, data=data).id
        allowed = CONFERENCE_CREATE_FIELDS | (
            {"organizers"} if request.user.is_superuser else set()
        )
        data = form_data(form, change=False, allowed=allowed)
        return conference_create(by=request.user, data=data).id

    def service_delete(self, request, obj):
        conference_delete(by=request.user, conference_id=obj.pk)


@admin.register(DrinkTable)
class DrinkTableAdmin(OrganizerScopedAdmin):
    list_display = ["label", "conference", "location", "capacity", "accessible", "active", "host"]
    list_filter = ["conference", "accessible", "active"]
    list_editable = ["capacity", "accessible", "active"]
    search_fields = ["label", "location", "conference__name"]
    autocomplete_fields = ["host"]
    list_select_related = ["conference", "host"]

    def service_save(self, request, form, *, change, parent=None):
        conference = form.cleaned_data.get("conference")
        return _save_table(
            request, form, change=change, conference_id=getattr(conference, "pk", None)
        )

    def service_delete(self, request, obj):
        table_delete(by=request.user, table_id=obj.pk)

    def get_readonly_fields(self, request, obj=None):
        return ["conference"] if obj is not None else []


def apply_to_each(request, objects, action, *, label, done: str, noun: str) -> None:
    """An admin action: run a service on each selected object, report each refusal with
    ``label(object)`` and its reason, and the successes in one line ("Cancelled: 2 runs.")."""
    succeeded = 0
    for obj in objects:
        try:
            action(obj)
        except ServiceError as error:
            messages.error(request, f"{label(obj)}: {error.message}")
        else:
            succeeded += 1
    if succeeded:
        messages.success(request, f"{done}: {succeeded} {noun}{'s' if succeeded != 1 else ''}.")


def _round_action(request, queryset, action, done: str) -> None:
    apply_to_each(request, queryset, action, label=lambda r: r.name, done=done, noun="round")


@admin.register(MeetupRound)
class MeetupRoundAdmin(ConferenceDaysAdmin):
    form = RoundTimesForm
    list_display = [
        "name",
        "conference",
        "starts_local",
        "location",
        "status",
        "going_count",
        "plan_link",
    ]
    list_filter = ["status", "conference"]
    search_fields = ["name", "conference__name", "location"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["tables"]
    # The status moves only through the actions below, which call the round lifecycle
    # (matching.services.lifecycle): never through the form. Automatic seating of late RSVPs
    # is switched on the plan page, which also seats the waiting list when it is turned on.
    readonly_fields = [
        "status",
        "plan_link",
        "published_run",
        "published_at",
        "held_at",
        "auto_seat_late",
    ]
    list_select_related = ["conference"]
    actions = [
        "open_rounds",
        "run_matching",
        "publish_plan",
        "unpublish_plan",
        "mark_held",
        "cancel_rounds",
        "draft_rounds",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(going_count=Count("rsvps", filter=Q(rsvps__status="going")))
        )

    @admin.display(description="going", ordering="going_count")
    def going_count(self, meetup_round):
        return meetup_round.going_count

    @admin.display(description="starts (local time)", ordering="starts_at")
    def starts_local(self, meetup_round):
        return local_time_range(
            meetup_round.starts_at, meetup_round.ends_at, zone=meetup_round.conference.tzinfo
        )

    @admin.display(description="plan")
    def plan_link(self, meetup_round):
        if meetup_round.pk is None:
            return "Save the round first."
        return format_html(
            '<a href="{}">Review the plan</a>',
            reverse("organize:round_plan", args=[meetup_round.pk]),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("conference")
        return fields

    def _move(self, request, queryset, to: str, done: str, **options) -> None:
        """Move each selected round to ``to`` through the lifecycle; report refusals and
        warnings by round, the successes in one line."""

        def move(meetup_round):
            moved = round_transition(round_id=meetup_round.pk, to=to, by=request.user, **options)
            if moved.warning:
                messages.warning(request, f"{meetup_round.name}: {moved.warning}")

        _round_action(request, queryset, move, done)

    @admin.action(description="Open for RSVPs (drafts; matched rounds re-open)")
    def open_rounds(self, request, queryset):
        self._move(request, queryset, RoundStatus.OPEN, "Opened for RSVPs")

    def service_save(self, request, form, *, change, parent=None):
        conference = form.cleaned_data.get("conference")
        return _save_round(
            request, form, change=change, conference_id=getattr(conference, "pk", None)
        )

    def service_delete(self, request, obj):
        round_delete(by=request.user, round_id=obj.pk)

    @admin.action(description="Run the matching (default time limit)")
    def run_matching(self, request, queryset):
        started = []
        for meetup_round in queryset:
            try:
                requested = run_request(round_id=meetup_round.pk, by=request.user)
            except ServiceError as error:
                messages.error(request, f"{meetup_round.name}: {error.message}")
                continue
            if requested.warning:
                messages.warning(request, f"{meetup_round.name}: {requested.warning}")
            elif requested.newly_requested:
                started.append(meetup_round)
            else:
                messages.warning(
                    request,
                    f"{meetup_round.name}: run #{requested.run.pk} is already working on it.",
                )
        for meetup_round in started:
            messages.success(
                request,
                format_html(
                    '{}: matching started. <a href="{}">Follow it on the plan page</a>.',
                    meetup_round.name,
                    reverse("organize:round_plan", args=[meetup_round.pk]),
                ),
            )

    def _confirmed(self, request, queryset, to: str, *, action: str, title: str, done: str):
        """A move that e-mails attendees or cannot be undone: first a page that says, round by
        round, what it does and whom it e-mails; the move once it is confirmed."""
        if request.POST.get("post") == "yes":
            return self._move(request, queryset, to, done)
        rounds = list(queryset.select_related("conference"))
        items = []
        for meetup_round in rounds:
            offer = next(
                (o for o in allowed_actions(round=meetup_round, user=request.user) if o.to == to),
                None,
            )
            items.append((meetup_round, offer))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "items": items,
            "emails": sum(offer.emails for _, offer in items if offer is not None),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/conferences/meetupround/confirm_move.html", context)

    @admin.action(description="Publish the latest plan and notify attendees")
    def publish_plan(self, request, queryset):
        return self._confirmed(
            request,
            queryset,
            RoundStatus.PUBLISHED,
            action="publish_plan",
            title="Publish these plans?",
            done="Published (attendees are being told their table)",
        )

    @admin.action(description="Unpublish the plan")
    def unpublish_plan(self, request, queryset):
        self._move(request, queryset, RoundStatus.MATCHED, "Unpublished")

    @admin.action(description="Mark held (record who sat together)")
    def mark_held(self, request, queryset):
        return self._confirmed(
            request,
            queryset,
            RoundStatus.HELD,
            action="mark_held",
            title="Mark these rounds held?",
            done="Marked held and encounters recorded",
        )

    @admin.action(description="Cancel the round")
    def cancel_rounds(self, request, queryset):
        return self._confirmed(
            request,
            queryset,
            RoundStatus.CANCELLED,
            action="cancel_rounds",
            title="Cancel these rounds?",
            done="Cancelled",
        )

    @admin.action(description="Back to draft (open rounds; cancelled rounds are restored)")
    def draft_rounds(self, request, queryset):
        self._move(request, queryset, RoundStatus.DRAFT, "Back to draft")


class CsvImportAdminMixin:
    """An "Import CSV" button on a changelist: upload, preview, confirm (see attendees.imports).

    ``import_kind`` says what the file holds. The conference to import into is picked in the
    form, among those the user organizes.
    """

    import_kind: str

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/<int:batch_id>/",
                self.admin_site.admin_view(self.import_preview_view),
                name="{}_{}_import_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    def _import_context(self, request, **extra):
        template = (
            "organize:registrations_template"
            if self.import_kind == ImportKind.REGISTRATIONS
            else "organize:encounters_template"
        )
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "kind_label": ImportKind(self.import_kind).label,
            "columns": imports.COLUMNS[self.import_kind],
            "template_url": reverse(template),
            "upload_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import",
                current_app=self.admin_site.name,
            ),
            **extra,
        }

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AdminImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                batch = imports.import_batch_create(
                    by=request.user,
                    conference_id=form.cleaned_data["conference"].pk,
                    kind=self.import_kind,
                    filename=form.cleaned_data["file"].name,
                    content=form.content(),
                )
            except ServiceError as error:
                form.add_error("file", error.message)
            else:
                return redirect(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_import_preview",
                    batch_id=batch.pk,
                )
        context = self._import_context(
            request, title=f"Import {ImportKind(self.import_kind).label.lower()}", form=form
        )
        return TemplateResponse(request, "admin/conferences/csv_import.html", context)

    def import_preview_view(self, request, batch_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            form = ImportConfirmForm(request.POST)
            if not form.is_valid():
                import_batch_for_organizer(user=request.user, pk=batch_id, kind=self.import_kind)
                raise PermissionDenied("Confirm the import from its preview.")
            try:
                preview = imports.import_batch_confirm(
                    by=request.user,
                    batch_id=batch_id,
                    expected=form.counts(),
                    mapping_token=form.cleaned_data["mapping"] or None,
                    kind=self.import_kind,
                )
            except Conflict as error:
                self.message_user(request, error.message, messages.WARNING)
                return redirect(request.path)
            batch = preview.batch
            if preview.applied:
                counts = preview.counts()
                skipped = f", {preview.skipped} not imported" if preview.skipped else ""
                self.message_user(
                    request,
                    f"Imported into {batch.conference}: {counts['created']} created, "
                    f"{counts['updated']} updated, {counts['unchanged']} unchanged{skipped}.",
                    messages.SUCCESS,
                )
                changelist = reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                    current_app=self.admin_site.name,
                )
                return redirect(f"{changelist}?conference__id__exact={batch.conference_id}")
            status = 400
        else:
            preview = imports.import_batch_preview(
                by=request.user, batch_id=batch_id, kind=self.import_kind
            )
        batch = preview.batch
        context = self._import_context(
            request,
            title=f"Preview: {batch.filename or 'your file'} into {batch.conference}",
            batch=batch,
            preview=preview,
            confirm_form=ImportConfirmForm(
                initial={**preview.counts(), "mapping": preview.mapping_token}
            ),
            edit_url=reverse("organize:import_preview", args=[batch.conference.slug, batch.pk]),
        )
        return TemplateResponse(
            request, "admin/conferences/csv_import.html", context, status=status
        )


@admin.register(ImportBatch)
class ImportBatchAdmin(OrganizerScopedAdmin):
    """A read-only log of CSV imports; imports start from the registrations or encounters list."""

    list_display = ["__str__", "conference", "filename", "status", "created_by", "created_at"]
    list_filter = ["kind", "status", "conference"]
    list_select_related = ["conference", "created_by"]
    exclude = ["content"]
    readonly_fields = [
        "conference",
        "kind",
        "status",
        "filename",
        "created_by",
        "created_at",
        "applied_at",
        "created_count",
        "updated_count",
        "unchanged_count",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log of what was imported; unconfirmed previews expire by themselves
