"""django-filter sets for the signed-in attendee's lists in the API."""

import django_filters
from django.utils import timezone

from api.filters.base import BooleanFilter
from attendees.enums import EncounterKind
from attendees.models import Encounter
from conferences.enums import RoundStatus
from conferences.models import MeetupRound


class MyRoundFilter(django_filters.FilterSet):
    conference = django_filters.CharFilter(
        field_name="conference__slug", help_text="Only rounds of this conference (its slug)."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=[c for c in RoundStatus.choices if c[0] != RoundStatus.DRAFT],
        help_text="Only rounds in these statuses (repeatable).",
    )
    upcoming = BooleanFilter(
        method="filter_upcoming", help_text="true: rounds not over yet; false: past rounds."
    )

    class Meta:
        model = MeetupRound
        fields = ["conference", "status", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        if value is None:
            return queryset
        now = timezone.now()
        return queryset.filter(ends_at__gte=now) if value else queryset.filter(ends_at__lt=now)


class EncounterFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EncounterKind.choices)
    conference = django_filters.CharFilter(
        field_name="conference__slug", help_text="Only encounters at this conference (its slug)."
    )

    class Meta:
        model = Encounter
        fields = ["kind", "conference"]
