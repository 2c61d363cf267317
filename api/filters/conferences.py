"""django-filter sets for the API's conference, table and round lists."""

import django_filters
from django.db.models import Q

from api.filters.base import BooleanFilter, UtcIsoDateTimeFilter, YearFilter
from attendees.enums import AttendanceRole
from attendees.models import Attendance
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound


class ConferenceFilter(django_filters.FilterSet):
    series = django_filters.CharFilter(
        field_name="series__slug", help_text="Only editions of this series (its slug)."
    )
    year = YearFilter(
        field_name="starts_on", lookup_expr="year", help_text="Only editions starting that year."
    )
    role = django_filters.ChoiceFilter(
        choices=[("organizing", "organizing"), ("attending", "attending")],
        method="filter_role",
        help_text="organizing: the ones I organize; attending: the ones I am registered for.",
    )

    class Meta:
        model = Conference
        fields = ["series", "year", "role"]

    def filter_role(self, queryset, name, value):
        if value == "organizing":
            return queryset.filter(is_organizer=True)
        return queryset.filter(is_attending=True)


class TableFilter(django_filters.FilterSet):
    active = BooleanFilter(help_text="Only tables in use (true) or set aside (false).")
    accessible = BooleanFilter(help_text="Only wheelchair-accessible tables (true) or others.")

    class Meta:
        model = DrinkTable
        fields = ["active", "accessible"]


class RoundFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=RoundStatus.choices, help_text="Only rounds in these statuses (repeatable)."
    )
    starts_after = UtcIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="gte", help_text="Rounds starting at or after this."
    )
    starts_before = UtcIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", help_text="Rounds starting before this."
    )

    class Meta:
        model = MeetupRound
        fields = ["status", "starts_after", "starts_before"]


class AttendanceFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=AttendanceRole.choices)
    q = django_filters.CharFilter(
        method="filter_q", help_text="Part of the person's name or e-mail address."
    )
    checked_in = BooleanFilter(
        field_name="checked_in_at", lookup_expr="isnull", exclude=True, help_text="Checked in."
    )

    class Meta:
        model = Attendance
        fields = ["role", "q", "checked_in"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(person__full_name__icontains=value) | Q(person__email__icontains=value)
        )
