"""Serializer pieces shared by the API."""

from django.utils import timezone
from rest_framework import serializers

from conferences.times import conference_zone, local_to_aware
from config.exceptions import ServiceError

UNKNOWN_FIELD = "Not a field of this request; it cannot be set here."


# A request body whose unknown keys are an error, not silently ignored: a typo ("capacty") or
# a read-only field ("email") would otherwise look like it worked. (A comment, not a docstring:
# drf-spectacular would show a docstring as the description of every request body.)
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)


class ConferenceDateTimeField(serializers.DateTimeField):
    """A moment of a conference's evening, in ISO 8601.

    Read: with the conference's offset (``2026-11-01T18:30:00-06:00`` for Chicago). Write: an
    offset is honoured; a time without one is the conference's local time. A write serializer
    sets ``zone`` once it knows the conference.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "ISO 8601. Answers carry the conference's UTC offset; a time sent without an offset "
            "is read in the conference's time zone.",
        )
        super().__init__(**kwargs)
        self.zone = None

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        conference = getattr(instance, "conference", None)
        zone = conference_zone(conference) if conference is not None else None
        if value is not None and zone is not None:
            return timezone.localtime(value, zone)
        return value

    def to_representation(self, value):
        if value is None:
            return None
        return value.isoformat()

    def enforce_timezone(self, value):
        if self.zone is None:
            return super().enforce_timezone(value)
        try:
            return local_to_aware(value, zone=self.zone).astimezone(self.zone)
        except ServiceError as error:
            raise serializers.ValidationError(error.message) from None
