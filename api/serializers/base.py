"""Serializer pieces shared by the API."""

from rest_framework import serializers

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
