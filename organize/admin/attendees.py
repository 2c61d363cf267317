"""The admin of people and what they do. A person's identity (e-mail, account, profile) is the
person's: organizers see it read-only unless ``person_identity_editable_by`` says otherwise,
and every write goes through ``attendees.services`` / ``attendees.registrations``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from attendees.emails import email_canonical
from attendees.enums import AttendanceRole
from attendees.models import (
    ApiToken,
    Attendance,
    Block,
    Encounter,
    LoginLink,
    Person,
    RoundRSVP,
    SitTogether,
)
from attendees.registrations import attendances_upsert
from attendees.services import (
    PERSON_IDENTITY_FIELDS,
    REGISTRATION_FIELDS,
    account_delete,
    attendance_delete,
    attendance_register,
    attendance_update,
    block_delete,
    encounter_delete,
    encounter_record,
    person_edit,
    person_identity_editable_by,
    rsvp_delete,
    rsvp_record,
)
from attendees.tokens import api_token_revoke
from conferences.enums import ImportKind
from conferences.scoping import conference_by_id_for_organizer, organized_conferences
from config.exceptions import ServiceError
from organize.admin.base import (
    ConferenceDaysAdmin,
    OrganizerScopedAdmin,
    ServiceInline,
    form_data,
)
from organize.admin.conferences import CsvImportAdminMixin

ATTENDANCE_FIELDS = ["conference", "role", "newcomer_override", "checked_in_at"]


class AttendanceInline(ServiceInline, admin.TabularInline):
    model = Attendance
    parent_field = "person"
    fields = ATTENDANCE_FIELDS
    extra = 0

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("conference")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(conference__in=organized_conferences(user=request.user))

    def service_save(self, request, form, *, change, parent=None):
        return _save_attendance(request, form, change=change, person_id=parent.pk)

    def service_delete(self, request, obj):
        attendance_delete(by=request.user, attendance_id=obj.pk)


def _save_attendance(request, form, *, change, person_id=None) -> int:
    if change:
        data = form_data(form, change=True, allowed=REGISTRATION_FIELDS | {"conference", "person"})
        return attendance_update(
            by=request.user, attendance_id=form.instance.pk, data=data
        ).attendance_id
    data = form_data(form, change=False, allowed=REGISTRATION_FIELDS)
    conference = form.cleaned_data.get("conference")
    person = form.cleaned_data.get("person")
    return attendance_register(
        by=request.user,
        conference_id=getattr(conference, "pk", None),
        person_id=person_id if person_id is not None else getattr(person, "pk", None),
        data=data,
    ).attendance_id


class PersonRegistrationForm(forms.ModelForm):
    """Adding a person is registering an e-mail address at one of your conferences: an address
    known elsewhere is linked without telling, and its profile is left as it is."""

    conference = forms.ModelChoiceField(
        queryset=None, help_text="The conference of yours to register them for."
    )
    role = forms.ChoiceField(choices=AttendanceRole.choices, initial=AttendanceRole.ATTENDEE)

    class Meta:
        model = Person
        fields = ["email", "full_name", "organization"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conference"].queryset = organized_conferences(user=user)


PERSON_PROFILE_FIELDS = [
    "full_name",
    "email",
    "organization",
    "bio",
    "topics",
    "needs_accessible_seating",
    "opted_out",
    "show_organization",
]


@admin.register(Person)
class PersonAdmin(OrganizerScopedAdmin):
    list_display = ["full_name", "email", "organization", "opted_out", "deleted_at"]
    list_filter = ["opted_out", "needs_accessible_seating", "topics", "attendances__conference"]
    search_fields = ["full_name", "email", "organization"]
    filter_horizontal = ["topics"]
    inlines = [AttendanceInline]

    def scope(self, queryset, user):
        attending = Attendance.objects.filter(
            conference__in=organized_conferences(user=user)
        ).values("person_id")
        return queryset.filter(pk__in=attending)

    def has_delete_permission(self, request, obj=None):
        # Deleting a person erases them everywhere: only they (or a superuser) may.
        return request.user.is_superuser

    def _editable(self, request, obj) -> bool:
        return obj is None or person_identity_editable_by(person=obj, user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["email", "full_name", "organization", "conference", "role"]
        extra = ["user"] if request.user.is_superuser else []
        return [*PERSON_PROFILE_FIELDS, *extra, "signed_in", "created_at", "deleted_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["signed_in", "created_at", "deleted_at"]
        if self._editable(request, obj):
            return fixed
        return [*PERSON_PROFILE_FIELDS, *fixed]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PersonRegistrationForm
            kwargs["fields"] = ["email", "full_name", "organization"]
            base = super().get_form(request, obj, change=change, **kwargs)

            class RegistrationForm(base):
                def __init__(self, *args, **inner):
                    super().__init__(*args, user=request.user, **inner)

            return RegistrationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    @admin.display(description="signed in", boolean=True)
    def signed_in(self, person):
        return person.user_id is not None

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not self._editable(request, obj):
            context["subtitle"] = (
                "This person manages their own e-mail address and profile; their "
                "registrations at your conferences are yours to keep."
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def service_save(self, request, form, *, change, parent=None):
        if change:
            allowed = PERSON_IDENTITY_FIELDS | ({"user"} if request.user.is_superuser else set())
            data = form_data(form, change=True, allowed=allowed)
            return person_edit(by=request.user, person_id=form.instance.pk, data=data).person_id
        data = form.cleaned_data
        conference = conference_by_id_for_organizer(
            user=request.user, pk=getattr(data.get("conference"), "pk", None)
        )
        row = {
            "email": data.get("email") or "",
            "full_name": data.get("full_name") or "",
            "role": data.get("role") or AttendanceRole.ATTENDEE,
        }
        if data.get("organization"):
            row["organization"] = data["organization"]
        result = attendances_upsert(conference=conference, rows=[row], by=request.user)
        if result.errors:
            error = result.errors[0]
            raise ServiceError(error.message, field=error.field or None)
        return Person.objects.get(email=email_canonical(row["email"])).pk

    def service_delete(self, request, obj):
        if not request.user.is_superuser:
            raise PermissionDenied("Only the person can delete their account.")
        account_delete(person=obj)


@admin.register(Attendance)
class AttendanceAdmin(CsvImportAdminMixin, ConferenceDaysAdmin):
    import_kind = ImportKind.REGISTRATIONS
    list_display = ["person", "conference", "role", "newcomer_override", "checked_in_at"]
    list_filter = ["conference", "role", "newcomer_override"]
    search_fields = ["person__full_name", "person__email", "person__organization"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "conference"]
    date_hierarchy = "registered_at"

    def get_readonly_fields(self, request, obj=None):
        return ["person", "conference"] if obj is not None else []

    def service_save(self, request, form, *, change, parent=None):
        return _save_attendance(request, form, change=change)

    def service_delete(self, request, obj):
        attendance_delete(by=request.user, attendance_id=obj.pk)


@admin.register(RoundRSVP)
class RoundRSVPAdmin(ConferenceDaysAdmin):
    conference_path = "round__conference"
    list_display = ["person", "round", "status", "updated_at"]
    list_filter = ["status", "round__conference", "round"]
    search_fields = ["person__full_name", "person__email"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "round__conference"]

    fields = ["person", "round", "status", "checked_in_at"]

    def get_readonly_fields(self, request, obj=None):
        # Checking in happens at the door page (organize:door).
        return ["person", "round", "checked_in_at"] if obj is not None else ["checked_in_at"]

    def service_save(self, request, form, *, change, parent=None):
        data = form.cleaned_data
        person_id = form.instance.person_id if change else getattr(data.get("person"), "pk", None)
        round_id = form.instance.round_id if change else getattr(data.get("round"), "pk", None)
        return rsvp_record(
            by=request.user, person_id=person_id, round_id=round_id, status=data.get("status")
        )

    def service_delete(self, request, obj):
        rsvp_delete(by=request.user, rsvp_id=obj.pk)


class EncounterForm(forms.ModelForm):
    class Meta:
        model = Encounter
        fields = ["person_a", "person_b", "kind", "conference", "round", "occurred_on"]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("person_a"), cleaned.get("person_b")
        if first and second and first.pk > second.pk:
            # Pairs are stored in id order; the admin user need not know.
            cleaned["person_a"], cleaned["person_b"] = second, first
        return cleaned


@admin.register(Encounter)
class EncounterAdmin(CsvImportAdminMixin, OrganizerScopedAdmin):
    """Encounters are history: added (or imported) and deleted, never edited."""

    import_kind = ImportKind.ENCOUNTERS
    form = EncounterForm
    fields = ["person_a", "person_b", "kind", "conference", "round", "occurred_on"]
    list_display = ["person_a", "person_b", "kind", "conference", "round", "occurred_on"]
    list_filter = ["kind", "conference"]
    search_fields = ["person_a__full_name", "person_b__full_name"]
    autocomplete_fields = ["person_a", "person_b"]
    list_select_related = ["person_a", "person_b", "conference", "round__conference"]
    date_hierarchy = "occurred_on"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, form, *, change, parent=None):
        data = form.cleaned_data
        return encounter_record(
            by=request.user,
            person_ids=(
                getattr(data.get("person_a"), "pk", None),
                getattr(data.get("person_b"), "pk", None),
            ),
            kind=data.get("kind"),
            conference_id=getattr(data.get("conference"), "pk", None),
            round_id=getattr(data.get("round"), "pk", None),
            occurred_on=data.get("occurred_on"),
        )

    def service_delete(self, request, obj):
        encounter_delete(by=request.user, encounter_id=obj.pk)


@admin.register(SitTogether)
class SitTogetherAdmin(OrganizerScopedAdmin):
    """A person's own wish: organizers see it (the matching honours it), only they change it."""

    list_display = ["requester", "requested", "conference", "created_at"]
    list_filter = ["conference"]
    search_fields = ["requester__full_name", "requested__full_name"]
    list_select_related = ["requester", "requested", "conference"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Private records: only superusers see them, and nobody edits them here."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and self.service_delete is not None

    service_delete = None

    def delete_model(self, request, obj):
        self.service_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(obj)


@admin.register(Block)
class BlockAdmin(SuperuserOnlyAdmin):
    list_display = ["pk", "blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]
    list_select_related = ["blocker", "blocked"]

    @staticmethod
    def service_delete(block):
        block_delete(person=block.blocker, block_id=block.pk)


@admin.register(LoginLink)
class LoginLinkAdmin(SuperuserOnlyAdmin):
    list_display = ["email", "created_at", "expires_at", "used_at", "requested_ip"]
    search_fields = ["email"]
    exclude = ["token_hash"]


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    search_fields = ["name", "user__username", "prefix"]
    exclude = ["key_hash"]
    list_select_related = ["user"]

    @staticmethod
    def service_delete(token):
        api_token_revoke(token=token)
