from django import forms
from django.contrib import admin

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
from conferences.enums import ImportKind
from organize.admin.conferences import CsvImportAdminMixin, OrganizerInline, OrganizerScopedAdmin


class AttendanceInline(OrganizerInline, admin.TabularInline):
    model = Attendance
    fields = ["conference", "role", "newcomer_override", "checked_in_at"]
    extra = 0

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("conference")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(conference__organizers=request.user)


@admin.register(Person)
class PersonAdmin(OrganizerScopedAdmin):
    list_display = ["full_name", "email", "organization", "opted_out", "deleted_at"]
    list_filter = ["opted_out", "needs_accessible_seating", "topics", "attendances__conference"]
    search_fields = ["full_name", "email", "organization"]
    filter_horizontal = ["topics"]
    readonly_fields = ["user", "created_at", "deleted_at"]
    inlines = [AttendanceInline]

    def scope(self, queryset, user):
        attending = Attendance.objects.filter(conference__organizers=user).values("person_id")
        return queryset.filter(pk__in=attending)


@admin.register(Attendance)
class AttendanceAdmin(CsvImportAdminMixin, OrganizerScopedAdmin):
    import_kind = ImportKind.REGISTRATIONS
    list_display = ["person", "conference", "role", "newcomer_override", "checked_in_at"]
    list_filter = ["conference", "role", "newcomer_override"]
    search_fields = ["person__full_name", "person__email", "person__organization"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "conference"]
    date_hierarchy = "registered_at"


@admin.register(RoundRSVP)
class RoundRSVPAdmin(OrganizerScopedAdmin):
    conference_path = "round__conference"
    list_display = ["person", "round", "status", "updated_at"]
    list_filter = ["status", "round__conference", "round"]
    search_fields = ["person__full_name", "person__email"]
    autocomplete_fields = ["person"]
    list_select_related = ["person", "round__conference"]


class EncounterForm(forms.ModelForm):
    class Meta:
        model = Encounter
        fields = ["person_a", "person_b", "kind", "conference", "round", "occurred_on"]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("person_a"), cleaned.get("person_b")
        if first and second:
            if first.pk == second.pk:
                raise forms.ValidationError("An encounter needs two different people.")
            if first.pk > second.pk:
                # Pairs are stored in id order; the admin user need not know.
                cleaned["person_a"], cleaned["person_b"] = second, first
                self.instance.person_a, self.instance.person_b = second, first
        return cleaned


@admin.register(Encounter)
class EncounterAdmin(CsvImportAdminMixin, OrganizerScopedAdmin):
    import_kind = ImportKind.ENCOUNTERS
    form = EncounterForm
    list_display = ["person_a", "person_b", "kind", "conference", "round", "occurred_on"]
    list_filter = ["kind", "conference"]
    search_fields = ["person_a__full_name", "person_b__full_name"]
    autocomplete_fields = ["person_a", "person_b"]
    list_select_related = ["person_a", "person_b", "conference", "round__conference"]
    date_hierarchy = "occurred_on"


@admin.register(SitTogether)
class SitTogetherAdmin(OrganizerScopedAdmin):
    list_display = ["requester", "requested", "conference", "created_at"]
    list_filter = ["conference"]
    search_fields = ["requester__full_name", "requested__full_name"]
    autocomplete_fields = ["requester", "requested"]
    list_select_related = ["requester", "requested", "conference"]


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


@admin.register(Block)
class BlockAdmin(SuperuserOnlyAdmin):
    list_display = ["pk", "blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]
    list_select_related = ["blocker", "blocked"]


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
