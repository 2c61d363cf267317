"""Filter pieces shared by the API's filter sets."""

import datetime

import django_filters
from django import forms


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error instead of being ignored."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(f"Use true or false, not {value!r}.") from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class YearFilter(django_filters.NumberFilter):
    """A calendar year (1 to 9999); other numbers are an error, not a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, handed to the database in UTC.

    Python accepts any UTC offset under 24 hours, PostgreSQL only up to 15:59; a moment whose
    UTC form falls outside years 1 to 9999 is an error to fix, not a server error.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "That moment is outside the years 1 to 9999 once put in UTC."
            ) from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
